"""Accounts: signing up, applying as a doctor, and the doctor's public profile."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from accounts.models import DoctorProfile, User
from conftest import client_for
from departments.models import Department
from questions.services import reply_hide
from questions.tests.factories import answered_question

NEW_PASSWORD = "a-long-and-unusual-passphrase"


def test_signup_creates_an_account_and_logs_in(db: None) -> None:
    client = Client()
    response = client.post(
        reverse("accounts:signup"),
        {"username": "mei", "email": "mei@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    user = User.objects.get(username="mei")
    assert user.email == "mei@example.org"
    assert not user.is_moderator
    assert client.get(reverse("questions:my_questions")).status_code == 200


def test_signup_with_mismatched_passwords_changes_nothing(db: None) -> None:
    response = Client().post(
        reverse("accounts:signup"),
        {"username": "mei", "email": "mei@example.org", "password1": NEW_PASSWORD, "password2": "something-else"},
    )
    assert response.status_code == 200
    assert "The two password fields didn’t match." in response.content.decode()
    assert 'value="mei"' in response.content.decode()
    assert not User.objects.filter(username="mei").exists()


def test_doctor_application_creates_an_unverified_profile_for_the_moderators(
    asker: User, moderator: User, neurology: Department, dermatology: Department
) -> None:
    client = client_for(asker)
    response = client.post(
        reverse("accounts:doctor_signup"),
        {
            "name": "Huang Ya-ting",
            "title": "Attending Physician",
            "hospital": "Harbour General Hospital",
            "licence_number": "TW-12345",
            "departments": [neurology.pk, dermatology.pk],
            "bio": "",
        },
    )
    assert response.status_code == 302
    profile = DoctorProfile.objects.get(user=asker)
    assert not profile.is_verified
    assert set(profile.departments.all()) == {neurology, dermatology}

    pending = client.get(reverse("accounts:doctor_signup")).content.decode()
    assert "Your profile is waiting for a moderator to verify it." in pending
    assert client.get(reverse("questions:doctor_queue")).status_code == 403
    assert Client().get(profile.get_absolute_url()).status_code == 404

    dashboard = client_for(moderator).get(reverse("questions:moderate"))
    assert list(dashboard.context["unverified"]) == [profile]
    assert "Huang Ya-ting" in dashboard.content.decode()
    assert "TW-12345" in dashboard.content.decode()


def test_doctor_application_with_a_department_key_no_database_can_hold_is_refused(
    asker: User, neurology: Department
) -> None:
    response = client_for(asker).post(
        reverse("accounts:doctor_signup"),
        {
            "name": "Huang Ya-ting",
            "title": "Attending Physician",
            "hospital": "Harbour General Hospital",
            "licence_number": "TW-12345",
            "departments": [neurology.pk, "-99999999999999999999999"],
            "bio": "",
        },
    )
    assert response.status_code == 200
    assert "is not a valid value" in response.content.decode()
    assert not DoctorProfile.objects.filter(user=asker).exists()


def test_doctor_application_with_a_licence_already_used_is_refused(
    asker: User, doctor: DoctorProfile, neurology: Department
) -> None:
    response = client_for(asker).post(
        reverse("accounts:doctor_signup"),
        {
            "name": "Someone Else",
            "title": "Resident",
            "hospital": "Harbour General Hospital",
            "licence_number": doctor.licence_number,
            "departments": [neurology.pk],
        },
    )
    assert response.status_code == 200
    assert "Doctor profile with this Licence number already exists." in response.content.decode()
    assert not DoctorProfile.objects.filter(user=asker).exists()


def test_doctor_profile_shows_the_doctors_published_replies(
    doctor: DoctorProfile, second_doctor: DoctorProfile, neurology: Department
) -> None:
    mine = answered_question(department=neurology, doctor=doctor, title="Headache after running")
    answered_question(department=neurology, doctor=second_doctor, title="Answered by a colleague")
    withdrawn = answered_question(department=neurology, doctor=doctor, title="A reply that was hidden")
    reply_hide(reply=withdrawn.replies.get(), reason="Wrong dose")

    response = Client().get(doctor.get_absolute_url())
    assert response.status_code == 200
    assert list(response.context["page"]) == [mine]
    page = response.content.decode()
    assert "<h1>Dr Lin Meihua</h1>" in page
    assert "Attending Physician, Riverside Teaching Hospital" in page
    assert "Headache after running" in page
    assert "Answered by a colleague" not in page
    assert "A reply that was hidden" not in page
