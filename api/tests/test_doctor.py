"""The doctors' part of the API: a token of a verified doctor reads the queue, claims and replies."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.models import DoctorProfile, User
from api.models import ApiToken, hash_key
from api.services import api_token_revoke
from api.tests.conftest import bearer, key_for
from conftest import client_for
from departments.models import Department
from questions.models import Question, Reply
from questions.services import question_claim
from questions.tests.factories import answered_question, asked_question

DRAFT = "Tremor of the head that lasts for years is often essential tremor; a neurologist can examine you."


def _post(client: Client, path: str, payload: dict[str, object] | None = None):
    return client.post(path, json.dumps(payload or {}), content_type="application/json")


def _reply(question: Question, **overrides: object) -> tuple[str, dict[str, object]]:
    return f"/api/doctor/questions/{question.pk}/reply", {"body": DRAFT, **overrides}


def _snapshot() -> list[object]:
    return [list(Question.objects.order_by("pk").values()), list(Reply.objects.order_by("pk").values())]


def test_queue_has_my_departments_waiting_questions_urgent_first_without_contact_details(
    doctor_key: str, neurology: Department, dermatology: Department, doctor: DoctorProfile
) -> None:
    now = timezone.now()
    older = asked_question(department=neurology, title="Dizzy when I stand up", created_at=now - timedelta(days=3))
    newer = asked_question(department=neurology, title="Numb hands when I wake up", created_at=now - timedelta(hours=1))
    Question.objects.filter(pk=newer.pk).update(urgent=True, email="numb@example.org")
    asked_question(department=dermatology, title="A rash on both elbows")
    answered_question(department=neurology, doctor=doctor, title="Migraine with aura")

    response = bearer(doctor_key).get("/api/doctor/queue")
    assert response.status_code == 200
    body = response.json()
    assert [item["id"] for item in body["items"]] == [newer.pk, older.pk]
    assert body["count"] == 2
    assert body["items"][0]["urgent"] is True
    assert body["items"][1]["title"] == "Dizzy when I stand up"
    assert body["items"][1]["body"] == older.body
    assert "numb@example.org" not in response.content.decode()
    assert newer.follow_token not in response.content.decode()


def test_doctor_of_another_department_sees_an_empty_queue(waiting_question: Question, other_doctor_key: str) -> None:
    assert bearer(other_doctor_key).get("/api/doctor/queue").json()["items"] == []


def test_claim_reply_and_the_question_is_public(
    waiting_question: Question, doctor: DoctorProfile, doctor_key: str, neurology: Department
) -> None:
    client = bearer(doctor_key)
    claim = _post(client, f"/api/doctor/questions/{waiting_question.pk}/claim")
    assert claim.status_code == 200
    waiting_question.refresh_from_db()
    assert waiting_question.claimed_by == doctor
    body = claim.json()
    assert body["id"] == waiting_question.pk
    # JSON carries milliseconds.
    claimed_until = parse_datetime(body["claimed_until"])
    assert claimed_until is not None and waiting_question.claimed_until is not None
    assert abs(claimed_until - waiting_question.claimed_until) < timedelta(milliseconds=1)

    queued = client.get("/api/doctor/queue").json()["items"][0]
    assert queued["claimed_by"]["id"] == doctor.pk

    topics = list(neurology.topics.all()[:2])
    path, payload = _reply(waiting_question, public_title="Tremors in the Head", topics=[t.slug for t in topics])
    response = _post(client, path, payload)
    assert response.status_code == 201
    body = response.json()
    assert body["title"] == "Tremors in the Head"
    assert body["reply"]["body"] == DRAFT
    assert body["reply"]["doctor"]["id"] == doctor.pk
    assert [t["slug"] for t in body["topics"]] == [t.slug for t in topics]
    waiting_question.refresh_from_db()
    assert waiting_question.is_public
    assert Client().get(f"/api/questions/{waiting_question.pk}").status_code == 200


def test_release_gives_the_question_back(waiting_question: Question, doctor: DoctorProfile, doctor_key: str) -> None:
    question_claim(question=waiting_question, doctor=doctor)
    response = _post(bearer(doctor_key), f"/api/doctor/questions/{waiting_question.pk}/release")
    assert response.status_code == 200
    assert response.json() == {"id": waiting_question.pk, "claimed_until": None}
    waiting_question.refresh_from_db()
    assert waiting_question.claimed_by is None


def test_the_same_refusals_as_the_site_answer_409(
    published_question: Question, neurology: Department, doctor: DoctorProfile, second_doctor_key: str
) -> None:
    waiting = asked_question(department=neurology)
    question_claim(question=waiting, doctor=doctor)
    client = bearer(second_doctor_key)
    before = _snapshot()
    for response in (
        _post(client, f"/api/doctor/questions/{waiting.pk}/claim"),
        _post(client, *_reply(waiting)),
        _post(client, f"/api/doctor/questions/{published_question.pk}/claim"),
        _post(client, *_reply(published_question)),
    ):
        assert response.status_code == 409
        error = response.json()["error"]
        assert error["code"] == "conflict"
        assert error["message"] in {
            "Another doctor is answering this question.",
            "Another doctor has claimed this question.",
            "This question has already been answered.",
            "This question has already been answered or is no longer open.",
        }
    assert _snapshot() == before


def test_a_bad_reply_is_refused_with_its_fields(
    waiting_question: Question, doctor_key: str, dermatology: Department
) -> None:
    client = bearer(doctor_key)
    before = _snapshot()
    short = _post(client, *_reply(waiting_question, body="Too short."))
    assert short.status_code == 422
    assert list(short.json()["error"]["fields"]) == ["body"]
    other_department_topic = dermatology.topics.first()
    assert other_department_topic is not None
    wrong_topic = _post(client, *_reply(waiting_question, topics=[other_department_topic.slug]))
    assert wrong_topic.status_code == 422
    assert list(wrong_topic.json()["error"]["fields"]) == ["topics"]
    assert _snapshot() == before


OPERATIONS = [
    ("get", "/api/doctor/queue"),
    ("post", "/api/doctor/questions/{pk}/claim"),
    ("post", "/api/doctor/questions/{pk}/release"),
    ("post", "/api/doctor/questions/{pk}/reply"),
]


def _call(client: Client, method: str, path: str, question: Question):
    path = path.format(pk=question.pk)
    return client.get(path) if method == "get" else _post(client, path, {"body": DRAFT})


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_other_departments_doctor_finds_nothing(
    waiting_question: Question, other_doctor_key: str, method: str, path: str
) -> None:
    before = _snapshot()
    response = _call(bearer(other_doctor_key), method, path, waiting_question)
    expected = 200 if method == "get" else 404
    assert response.status_code == expected
    if expected == 404:
        assert response.json()["error"]["code"] == "not_found"
    assert _snapshot() == before


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
@pytest.mark.parametrize("credentials", ["none", "garbage", "revoked", "session", "basic"])
def test_without_a_valid_token_it_is_401(
    waiting_question: Question, doctor: DoctorProfile, credentials: str, method: str, path: str
) -> None:
    if credentials == "none":
        client = Client()
    elif credentials == "garbage":
        client = bearer("mda_not-a-real-token")
    elif credentials == "revoked":
        key = key_for(doctor)
        api_token_revoke(token=ApiToken.objects.get(key_hash=hash_key(key)))
        client = bearer(key)
    elif credentials == "session":
        # Signed in on the site: the API still wants its token.
        client = client_for(doctor.user)
    else:
        client = Client(HTTP_AUTHORIZATION=f"Basic {key_for(doctor)}")
    before = _snapshot()
    response = _call(client, method, path, waiting_question)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["error"]["code"] == "not_authenticated"
    assert _snapshot() == before


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
@pytest.mark.parametrize("holder", ["unverified_doctor", "asker", "moderator"])
def test_a_token_of_someone_who_is_not_a_verified_doctor_is_403(
    request: pytest.FixtureRequest, waiting_question: Question, holder: str, method: str, path: str
) -> None:
    person = request.getfixturevalue(holder)
    user: User = person.user if isinstance(person, DoctorProfile) else person
    # Tokens are only made for verified doctors; these stand for a doctor whose verification was withdrawn
    # and an account whose doctor profile is gone.
    key = f"mda_{holder}-key"
    ApiToken.objects.create(user=user, name="left over", prefix=key[:10], key_hash=hash_key(key))
    before = _snapshot()
    response = _call(bearer(key), method, path, waiting_question)
    assert response.status_code == 403
    assert response.json()["error"] == {
        "code": "forbidden",
        "message": "Only verified doctors can use this.",
        "fields": {},
    }
    assert _snapshot() == before


def test_withdrawn_verification_stops_an_existing_token(doctor: DoctorProfile, doctor_key: str) -> None:
    assert bearer(doctor_key).get("/api/doctor/queue").status_code == 200
    DoctorProfile.objects.filter(pk=doctor.pk).update(verified_at=None)
    assert bearer(doctor_key).get("/api/doctor/queue").status_code == 403
