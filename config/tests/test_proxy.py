"""Behind our own proxies the client's address comes from X-Forwarded-For; nobody else can set it."""

from __future__ import annotations

import ipaddress

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from audit.models import AuditEntry
from config.proxy import client_address
from conftest import PASSWORD
from questions.models import Question

PROXIES = [ipaddress.ip_network("10.0.0.0/24"), ipaddress.ip_network("fd00::/64")]


@pytest.mark.parametrize(
    ("remote", "forwarded", "client"),
    [
        ("10.0.0.5", "198.51.100.7", "198.51.100.7"),
        # Whatever the client wrote itself is left of the address our proxy saw.
        ("10.0.0.5", "203.0.113.9, 198.51.100.7", "198.51.100.7"),
        # Two of our proxies in a row.
        ("10.0.0.5", "198.51.100.7, 10.0.0.6", "198.51.100.7"),
        ("fd00::2", "2001:db8::1", "2001:db8::1"),
        # Not from our proxy: the header is the client's own word and is ignored.
        ("192.0.2.1", "198.51.100.7", "192.0.2.1"),
        ("10.0.0.5", "", "10.0.0.5"),
        ("10.0.0.5", "not-an-address", "10.0.0.5"),
        ("10.0.0.5", "10.0.0.6", "10.0.0.5"),
    ],
)
def test_client_address(remote: str, forwarded: str, client: str) -> None:
    assert client_address(remote, forwarded, PROXIES) == client


def _login(address: str, password: str) -> int:
    client = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR=address)
    return client.post(reverse("accounts:login"), {"username": "asker", "password": password}).status_code


def test_behind_the_proxy_the_lockout_counts_each_client_apart(asker: User, settings) -> None:
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert [_login("198.51.100.7", "wrong") for _ in range(5)][-1] == 429
    assert _login("198.51.100.7", PASSWORD) == 429
    # Another visitor behind the same proxy is not locked out with the first.
    assert _login("198.51.100.8", PASSWORD) == 302


def test_without_trusted_proxies_the_header_changes_nothing(asker: User) -> None:
    assert [_login("198.51.100.9", "wrong") for _ in range(5)][-1] == 429
    # Every one of those came from 10.0.0.5 itself, whatever the header said.
    assert _login("198.51.100.10", PASSWORD) == 429


def test_the_audit_log_records_the_client_behind_the_proxy(
    published_question: Question, moderator: User, settings
) -> None:
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    client = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.7")
    client.force_login(moderator)
    response = client.post(
        reverse("questions:moderate_hide", args=[published_question.pk]), {"reason": "Contains a phone number"}
    )
    assert response.status_code == 302
    assert AuditEntry.objects.get(actor=moderator).ip_address == "198.51.100.7"
