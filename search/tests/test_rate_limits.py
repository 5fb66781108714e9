"""Search and the "already answered?" suggestions are limited per address, with a clear 429."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

SEARCH_URL = reverse("search:search")
SUGGEST_URL = reverse("search:suggest")


def test_search_over_the_rate_gets_a_429_page(settings, db: None) -> None:
    settings.SEARCH_RATE = "3/h"
    client = Client()
    for _ in range(3):
        assert client.get(SEARCH_URL, {"q": "headache"}).status_code == 200
    response = client.get(SEARCH_URL, {"q": "headache"})
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    page = response.content.decode()
    assert "Too many requests" in page
    assert "Please wait a minute and try again." in page
    # Another address still searches.
    assert Client(REMOTE_ADDR="192.0.2.20").get(SEARCH_URL, {"q": "headache"}).status_code == 200


def test_suggestions_over_the_rate_get_a_429_fragment(settings, db: None) -> None:
    settings.SUGGEST_RATE = "2/h"
    client = Client()
    params = {"title": "Headache every morning", "body": "It hurts behind my eyes when I wake up."}
    for _ in range(2):
        assert client.get(SUGGEST_URL, params).status_code == 200
    response = client.get(SUGGEST_URL, params)
    assert response.status_code == 429
    fragment = response.content.decode()
    assert "<html" not in fragment
    assert "suggestions pause for a minute" in fragment


def test_search_and_suggestions_are_counted_apart(settings, db: None) -> None:
    settings.SEARCH_RATE = "1/h"
    client = Client()
    assert client.get(SEARCH_URL, {"q": "rash"}).status_code == 200
    assert client.get(SEARCH_URL, {"q": "rash"}).status_code == 429
    assert client.get(SUGGEST_URL, {"title": "rash on my arm"}).status_code == 200


def test_default_rates_let_a_fast_typist_through(db: None) -> None:
    # The ask form asks for suggestions on every pause in typing: a minute of steady typing must pass.
    client = Client()
    for number in range(60):
        assert client.get(SUGGEST_URL, {"title": f"headache {number}"}).status_code == 200


def test_rate_limits_can_be_turned_off_for_load_tests(settings, db: None) -> None:
    settings.SEARCH_RATE = "1/h"
    settings.RATELIMIT_ENABLE = False
    client = Client()
    for _ in range(3):
        assert client.get(SEARCH_URL, {"q": "rash"}).status_code == 200
