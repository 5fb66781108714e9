"""The live triage check runs while the asker types: limited per address, generously, with a 429 fragment."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

CHECK_URL = reverse("triage:check")
TEXT = {"title": "Chest pain since this morning", "body": "It spreads to my left arm and I am sweating."}


def test_check_over_the_rate_gets_a_429_fragment(settings, db: None) -> None:
    settings.SUGGEST_RATE = "2/h"
    client = Client()
    assert [client.get(CHECK_URL, TEXT).status_code for _ in range(2)] == [200, 200]
    response = client.get(CHECK_URL, TEXT)
    assert response.status_code == 429
    assert "Too many requests from your address" in response.content.decode()
    assert Client(REMOTE_ADDR="192.0.2.30").get(CHECK_URL, TEXT).status_code == 200


def test_check_has_its_own_count_beside_the_suggestions(settings, db: None) -> None:
    settings.SUGGEST_RATE = "1/h"
    client = Client()
    assert client.get(reverse("search:suggest"), TEXT).status_code == 200
    assert client.get(CHECK_URL, TEXT).status_code == 200
