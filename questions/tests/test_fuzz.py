"""Hostile input on every form and query parameter of the site: no answer may be a server error.

Hypothesis sends odd unicode, NUL and control characters, very long strings and injection-looking text
through the Django test client, as the persona who may use each form. Each example runs in a savepoint
that is rolled back, so what one example writes does not change the next. The test client re-raises a
view's exception, so a server error fails with its traceback.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import DoctorProfile, User
from conftest import client_for
from departments.models import Department
from questions.models import Question, Reply

ODD = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\u202eevil",
    "\ufeff",
    "💊" * 300,
    "' OR 1=1 --",
    '"unterminated',
    "NEAR(a b) OR * AND NOT",
    "-",
    "*",
    "^",
    ":",
    "title:x",
    "%",
    "%00",
    "<script>alert(1)</script>",
    "{{ 7*7 }}{% debug %}",
    "\r\n\r\n",
    "頭痛" * 40,
    "0",
    "-1",
    "99999999999999999999999",
    "1e309",
    "NaN",
]

texts = st.one_of(
    st.sampled_from(ODD),
    st.text(max_size=60),
    # Long input, from a short sample repeated: past every max_length and the views' own cuts.
    st.text(min_size=1, max_size=12).map(lambda s: s * 600),
)
# Small enough that the file runs in about half a minute on an idle 2-core machine; the examples
# differ on every run (no stored database), so repeated CI runs cover more.
FUZZ = settings(
    max_examples=15,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@contextmanager
def _rolled_back() -> Iterator[None]:
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def _ok(response: Any) -> None:
    assert response.status_code < 500, response.status_code


@pytest.fixture(autouse=True)
def _no_rate_limits(settings: Any) -> None:
    # Hundreds of requests from one address: the limits would answer 429 before the forms are reached.
    settings.RATELIMIT_ENABLE = False


@pytest.fixture
def anon() -> Client:
    """One client per test, not per example: building a client's middleware stack is not free."""
    return Client()


@pytest.fixture
def asker_client(asker: User) -> Client:
    return client_for(asker)


@pytest.fixture
def doctor_client(doctor: DoctorProfile) -> Client:
    return client_for(doctor.user)


@pytest.fixture
def moderator_client(moderator: User) -> Client:
    return client_for(moderator)


def _post(client: Client, url: str, data: dict[str, Any]) -> None:
    with _rolled_back():
        _ok(client.post(url, data))


def _get(client: Client, url: str, data: dict[str, Any] | None = None) -> None:
    with _rolled_back():
        _ok(client.get(url, data or {}))


@FUZZ
@given(title=texts, body=texts, age_band=texts, sex=texts, pseudonym=texts, email=texts, department=texts, seen=texts)
def test_ask_form(
    anon: Client,
    neurology: Department,
    title: str,
    body: str,
    age_band: str,
    sex: str,
    pseudonym: str,
    email: str,
    department: str,
    seen: str,
) -> None:
    data = {"title": title, "body": body, "age_band": age_band, "sex": sex, "pseudonym": pseudonym, "email": email}
    _post(anon, reverse("questions:ask"), {**data, "department": department, "masking_seen": seen})
    # The same text in an otherwise valid form gets past validation into triage and saving.
    valid = {
        "title": "Headache every morning " + title[:100],
        "body": "Every morning for a month I wake up with a dull headache. " + body[:4000],
        "age_band": "20-29",
        "sex": "female",
        "pseudonym": "Quiet Lotus " + pseudonym[:40],
        "email": "",
        "department": neurology.pk,
        "masking_seen": "True",
    }
    _post(anon, reverse("questions:ask"), valid)


@FUZZ
@given(q=texts, department=texts, page=texts)
def test_search(anon: Client, published_question: Question, q: str, department: str, page: str) -> None:
    _get(anon, reverse("search:search"), {"q": q, "department": department, "page": page})
    _get(anon, reverse("search:search"), {"q": q})


@FUZZ
@given(title=texts, body=texts)
def test_suggestions_and_triage_check(anon: Client, published_question: Question, title: str, body: str) -> None:
    _get(anon, reverse("search:suggest"), {"title": title, "body": body})
    _get(anon, reverse("triage:check"), {"title": title, "body": body})


@FUZZ
@given(username=texts, password=texts, next_url=texts)
def test_login(anon: Client, asker: User, username: str, password: str, next_url: str) -> None:
    _post(anon, reverse("accounts:login"), {"username": username, "password": password, "next": next_url})
    _get(anon, reverse("accounts:login"), {"next": next_url})


@FUZZ
@given(username=texts, email=texts, password=texts)
def test_signup(db: None, anon: Client, username: str, email: str, password: str) -> None:
    data = {"username": username, "email": email, "password1": password, "password2": password}
    _post(anon, reverse("accounts:signup"), data)


@FUZZ
@given(
    name=texts,
    title=texts,
    hospital=texts,
    licence=texts,
    departments=st.lists(texts, max_size=3),
    bio=texts,
)
def test_doctor_application(
    asker_client: Client, name: str, title: str, hospital: str, licence: str, departments: list[str], bio: str
) -> None:
    data = {
        "name": name,
        "title": title,
        "hospital": hospital,
        "licence_number": licence,
        "departments": departments,
        "bio": bio,
    }
    _post(asker_client, reverse("accounts:doctor_signup"), data)


@FUZZ
@given(body=texts, public_title=texts, topics=st.lists(texts, max_size=3))
def test_doctor_forms(
    doctor_client: Client, waiting_question: Question, body: str, public_title: str, topics: list[str]
) -> None:
    client = doctor_client
    pk = waiting_question.pk
    _post(
        client,
        reverse("questions:doctor_answer", args=[pk]),
        {"body": body, "public_title": public_title, "topics": topics},
    )
    _post(client, reverse("questions:doctor_title", args=[pk]), {"public_title": public_title})
    _post(client, reverse("questions:doctor_claim", args=[pk]), {"body": body})


@FUZZ
@given(department=texts, reason=texts, public_title=texts, next_step=texts)
def test_moderation_forms(
    moderator_client: Client, reply: Reply, department: str, reason: str, public_title: str, next_step: str
) -> None:
    client = moderator_client
    pk = reply.question_id
    _post(client, reverse("questions:moderate_move", args=[pk]), {"department": department, "next": next_step})
    _post(client, reverse("questions:moderate_hide", args=[pk]), {"reason": reason})
    _post(client, reverse("questions:moderate_title", args=[pk]), {"public_title": public_title})
    _post(client, reverse("questions:moderate_hide_reply", args=[reply.pk]), {"reason": reason})


@FUZZ
@given(actor=texts, action=texts, page=texts)
def test_operator_filters_and_pages(
    anon: Client, moderator_client: Client, doctor: DoctorProfile, actor: str, action: str, page: str
) -> None:
    _get(moderator_client, reverse("audit:log"), {"actor": actor, "action": action, "page": page})
    _get(anon, reverse("accounts:doctor", args=[doctor.pk]), {"page": page})
    _get(anon, reverse("departments:detail", args=["neurology"]), {"page": page})


@FUZZ
@given(segment=texts)
def test_odd_addresses(anon: Client, published_question: Question, segment: str) -> None:
    quoted = quote(segment, safe="")
    paths: list[Callable[[], str]] = [
        lambda: f"/q/{quoted}/",
        lambda: f"/questions/{published_question.pk}/{quoted}/",
        lambda: f"/departments/{quoted}/",
        lambda: f"/departments/neurology/topics/{quoted}/",
        lambda: f"/search/?q={quoted}",
    ]
    for path in paths:
        _get(anon, path())
