"""API tokens: the doctor's page and the management command. Keys are shown once and stored hashed."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from accounts.models import DoctorProfile, User
from api.models import ApiToken, hash_key
from api.services import ApiTokenError, api_token_create
from api.tests.conftest import bearer, key_for
from conftest import client_for

TOKENS_URL = reverse("api_tokens:tokens")
REVOKE_URL = reverse("api_tokens:revoke")


def test_a_doctor_makes_a_token_sees_its_key_once_and_it_works(doctor: DoctorProfile) -> None:
    client = client_for(doctor.user)
    assert client.get(TOKENS_URL).status_code == 200

    response = client.post(TOKENS_URL, {"name": "Clinic tablet"})
    assert response.status_code == 200
    key = response.context["new_key"]
    assert key.startswith("mda_") and len(key) > 40
    assert key in response.content.decode()

    token = ApiToken.objects.get()
    assert (token.user, token.name, token.prefix) == (doctor.user, "Clinic tablet", key[:10])
    assert token.key_hash == hash_key(key)
    assert key not in str(list(ApiToken.objects.values()))

    again = client.get(TOKENS_URL).content.decode()
    assert "Clinic tablet" in again
    assert key not in again
    assert bearer(key).get("/api/doctor/queue").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_token_needs_a_name(doctor: DoctorProfile) -> None:
    response = client_for(doctor.user).post(TOKENS_URL, {"name": "  "})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_revoking_stops_the_token(doctor: DoctorProfile) -> None:
    key = key_for(doctor)
    token = ApiToken.objects.get()
    response = client_for(doctor.user).post(REVOKE_URL, {"token": token.pk})
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert bearer(key).get("/api/doctor/queue").status_code == 401


@pytest.mark.parametrize("value", ["other", "nonsense", ""])
def test_a_doctor_cannot_revoke_another_doctors_token(
    doctor: DoctorProfile, second_doctor: DoctorProfile, value: str
) -> None:
    key = key_for(second_doctor)
    token = ApiToken.objects.get()
    response = client_for(doctor.user).post(REVOKE_URL, {"token": token.pk if value == "other" else value}, follow=True)
    assert "You have no such token." in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None
    assert bearer(key).get("/api/doctor/queue").status_code == 200


@pytest.mark.parametrize("persona", ["asker", "moderator", "unverified_doctor"])
def test_only_verified_doctors_have_the_page(request: pytest.FixtureRequest, persona: str) -> None:
    person = request.getfixturevalue(persona)
    client = client_for(person.user if isinstance(person, DoctorProfile) else person)
    assert client.get(TOKENS_URL).status_code == 403
    assert client.post(TOKENS_URL, {"name": "Mine"}).status_code == 403
    assert not ApiToken.objects.exists()
    response = Client().get(TOKENS_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_service_refuses_users_who_are_not_verified_doctors(unverified_doctor: DoctorProfile, asker: User) -> None:
    for user in (unverified_doctor.user, asker):
        with pytest.raises(ApiTokenError):
            api_token_create(user=user, name="Mine")
    assert not ApiToken.objects.exists()


def test_the_command_makes_lists_and_revokes_tokens(doctor: DoctorProfile, asker: User) -> None:
    out = StringIO()
    call_command("api_token", "create", doctor.user.username, "Night script", stdout=out)
    key = out.getvalue().strip().splitlines()[-1]
    token = ApiToken.objects.get()
    assert token.key_hash == hash_key(key)
    assert bearer(key).get("/api/doctor/queue").status_code == 200

    listing = StringIO()
    call_command("api_token", "list", doctor.user.username, stdout=listing)
    assert "Night script" in listing.getvalue()
    assert key not in listing.getvalue()

    call_command("api_token", "revoke", str(token.pk), stdout=StringIO())
    assert bearer(key).get("/api/doctor/queue").status_code == 401

    with pytest.raises(CommandError, match="Only verified doctors"):
        call_command("api_token", "create", asker.username, "Not allowed", stdout=StringIO())
    with pytest.raises(CommandError, match="no user"):
        call_command("api_token", "create", "nobody", "x", stdout=StringIO())
