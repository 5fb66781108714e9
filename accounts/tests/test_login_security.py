"""Logging in under attack: the per-address rate limit and the lockout after repeated wrong passwords."""

from __future__ import annotations

from datetime import timedelta

from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audit.models import Action, AuditEntry
from conftest import PASSWORD, client_for

LOGIN_URL = reverse("accounts:login")


def _login(client: Client, username: str, password: str):
    return client.post(LOGIN_URL, {"username": username, "password": password})


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def _lock(client: Client, username: str, times: int = 5) -> list[int]:
    return [_login(client, username, "not-the-password").status_code for _ in range(times)]


def test_right_password_logs_in(asker: User) -> None:
    client = Client()
    response = _login(client, "asker", PASSWORD)
    assert response.status_code == 302
    assert _signed_in(client)


def test_five_wrong_passwords_lock_the_username_even_with_the_right_password(asker: User) -> None:
    client = Client()
    statuses = _lock(client, "asker")
    # Four refusals on the form, then the fifth wrong password starts the lockout.
    assert statuses == [200, 200, 200, 200, 429]

    response = _login(client, "asker", PASSWORD)
    assert response.status_code == 429
    assert not _signed_in(client)
    page = response.content.decode()
    assert "The password was wrong 5 times in a row" in page
    assert "Try again in 15 minutes" in page


def test_lockout_page_is_translated(asker: User) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hant")
    _lock(client, "asker")
    response = _login(client, "asker", PASSWORD)
    assert response.status_code == 429
    assert '<html lang="zh-hant">' in response.content.decode()


def test_lock_is_per_username_and_address(asker: User, other_asker: User) -> None:
    _lock(Client(), "asker")
    # The same person from another address, and another user from the locked address, still log in.
    elsewhere = Client(REMOTE_ADDR="192.0.2.44")
    assert _login(elsewhere, "asker", PASSWORD).status_code == 302
    same_address = Client()
    assert _login(same_address, "other_asker", PASSWORD).status_code == 302


def test_lock_ends_after_the_cool_off(asker: User) -> None:
    client = Client()
    _lock(client, "asker")
    assert _login(client, "asker", PASSWORD).status_code == 429
    # Sixteen minutes pass (the cool-off is fifteen).
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert _login(client, "asker", PASSWORD).status_code == 302
    assert _signed_in(client)


def test_a_moderator_lifts_the_lock_and_it_is_audited(asker: User, moderator: User) -> None:
    client = Client()
    _lock(client, "asker")
    lockouts = client_for(moderator).get(reverse("operations:lockouts"))
    assert "asker" in lockouts.content.decode()
    attempt = lockouts.context["lockouts"].get()

    response = client_for(moderator).post(reverse("operations:unlock", args=[attempt.pk]))
    assert response.status_code == 302
    assert _login(client, "asker", PASSWORD).status_code == 302
    entry = AuditEntry.objects.get(action=Action.LOGIN_UNLOCK)
    assert entry.actor == moderator
    assert "asker from 127.0.0.1" in entry.detail


def test_nobody_else_lifts_a_lock(asker: User, other_asker: User) -> None:
    client = Client()
    _lock(client, "asker")
    attempt = AccessAttempt.objects.get(username="asker")
    assert client_for(other_asker).post(reverse("operations:unlock", args=[attempt.pk])).status_code == 403
    assert _login(client, "asker", PASSWORD).status_code == 429


def test_a_lock_whose_cool_off_ended_is_not_listed(asker: User, moderator: User) -> None:
    _lock(Client(), "asker")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert list(client_for(moderator).get(reverse("operations:lockouts")).context["lockouts"]) == []


def test_too_many_login_posts_from_one_address_get_429(settings, asker: User) -> None:
    settings.LOGIN_RATE = "3/h"
    client = Client()
    # Different usernames, so the lockout (per username) never triggers: only the rate limit can.
    for number in range(3):
        assert _login(client, f"guess{number}", "x").status_code == 200
    response = _login(client, "asker", PASSWORD)
    assert response.status_code == 429
    assert "Too many requests" in response.content.decode()
    assert not _signed_in(client)
    # Showing the form is not counted, and another address is not affected.
    assert client.get(LOGIN_URL).status_code == 200
    assert _login(Client(REMOTE_ADDR="192.0.2.8"), "asker", PASSWORD).status_code == 302


def test_a_username_longer_than_any_column_is_refused_not_a_server_error(db: None) -> None:
    # Found by the fuzz run: on PostgreSQL recording this failed attempt raised "value too long".
    long_name = "0" * 300
    client = Client()
    assert _lock(client, long_name) == [200, 200, 200, 200, 429]
    assert AccessAttempt.objects.get().username == "0" * 255
    assert client.post("/admin/login/", {"username": long_name, "password": "x"}).status_code == 429
