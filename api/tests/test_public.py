"""Public reads: published questions, departments, topics, search, Similar Q&A and suggestions."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import DoctorProfile
from departments.models import Department
from questions.models import Question
from questions.services import question_create, question_hide, reply_publish
from questions.tests.factories import answered_question, asked_question
from search.selectors import search, similar_for_page

PRIVATE_TITLE = "Call me at 0912-345-678 about my tremor"
PRIVATE_BODY = (
    "My name is Chen Mei-ling and my e-mail is meiling.chen@example.org. For a year my hands shake when I hold "
    "a cup, and now my head nods too. Is this Parkinson's disease?"
)


@pytest.fixture
def private_question(
    neurology: Department, doctor: DoctorProfile, django_capture_on_commit_callbacks, settings
) -> Question:
    """An answered question, indexed for search, whose asker typed personal details and left an e-mail."""
    settings.SEARCH_INDEX_REFRESH_SECONDS = 0
    question = question_create(
        title=PRIVATE_TITLE,
        body=PRIVATE_BODY,
        age_band="60-69",
        sex="female",
        pseudonym="Gentle Crane 8",
        email="notice-me@example.org",
        department=neurology,
    )
    with django_capture_on_commit_callbacks(execute=True):
        reply_publish(
            question=question, doctor=doctor, body="A shaking hand and a nodding head suggest essential tremor."
        )
    question.refresh_from_db()
    return question


def _private_parts(question: Question) -> list[str]:
    return ["0912-345-678", "meiling.chen@example.org", "notice-me@example.org", question.follow_token, "Mei-ling"]


def test_list_shows_published_questions_newest_answer_first(
    neurology: Department, dermatology: Department, doctor: DoctorProfile, other_doctor: DoctorProfile
) -> None:
    now = timezone.now()
    older = answered_question(
        department=neurology, doctor=doctor, title="Dizzy spells", published_at=now - timedelta(days=2)
    )
    newer = answered_question(department=dermatology, doctor=other_doctor, title="Itchy rash on my elbows")
    asked_question(department=neurology, title="Still waiting for a doctor")
    hidden = answered_question(department=neurology, doctor=doctor, title="Buy my pills online")
    question_hide(question=hidden, reason="Advertising")

    body = Client().get("/api/questions").json()
    assert body["count"] == 2
    assert [item["id"] for item in body["items"]] == [newer.pk, older.pk]
    first = body["items"][0]
    assert first["title"] == "Itchy rash on my elbows"
    assert first["url"] == f"http://testserver{newer.get_absolute_url()}"
    assert first["department"]["slug"] == "dermatology"
    assert first["doctor"]["name"] == "Dr Wang Derm"
    assert first["reply_snippet"].startswith("Tingling in both feet")


def test_list_pages_and_filters_by_department(
    neurology: Department, dermatology: Department, doctor: DoctorProfile, other_doctor: DoctorProfile
) -> None:
    now = timezone.now()
    neuro = [
        answered_question(
            department=neurology, doctor=doctor, title=f"Neurology {n}", published_at=now - timedelta(hours=n)
        )
        for n in range(3)
    ]
    answered_question(department=dermatology, doctor=other_doctor, title="Dermatology one")

    query: dict[str, Any] = {"department": "neurology", "per_page": 2, "page": 2}
    body = Client().get("/api/questions", query).json()
    assert (body["count"], body["page"], body["per_page"]) == (3, 2, 2)
    assert [item["id"] for item in body["items"]] == [neuro[2].pk]
    assert Client().get("/api/questions", {"page": 9}).json()["items"] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [({"department": "no-such-department"}, "department"), ({"page": 0}, "page"), ({"per_page": 1000}, "per_page")],
)
def test_list_refuses_bad_parameters_with_an_error_object(db: None, query: dict[str, Any], field: str) -> None:
    response = Client().get("/api/questions", query)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert list(error["fields"]) == [field]


def test_detail_has_the_public_page_and_nothing_private(private_question: Question, neurology: Department) -> None:
    topics = list(neurology.topics.all()[:2])
    private_question.topics.set(topics)
    response = Client().get(f"/api/questions/{private_question.pk}")
    assert response.status_code == 200
    body = response.json()
    reply = private_question.replies.get()
    assert body["title"] == private_question.scrubbed_title
    assert body["body"] == private_question.scrubbed_body
    assert (body["pseudonym"], body["age_band"], body["sex"]) == ("Gentle Crane 8", "60-69", "female")
    assert body["department"]["name_zh_hant"] == neurology.name_zh_hant
    assert [t["slug"] for t in body["topics"]] == [t.slug for t in topics]
    assert body["reply"]["body"] == reply.body
    assert body["reply"]["doctor"]["url"] == f"http://testserver{reply.doctor.get_absolute_url()}"
    assert set(body) == {
        "id", "title", "url", "body", "pseudonym", "age_band", "sex", "department", "topics",
        "asked_at", "published_at", "reply",
    }  # fmt: skip
    for secret in _private_parts(private_question):
        assert secret not in response.content.decode()


def test_private_details_appear_in_no_public_answer(private_question: Question) -> None:
    client = Client()
    answers = [
        client.get("/api/questions"),
        client.get(f"/api/questions/{private_question.pk}"),
        client.get(f"/api/questions/{private_question.pk}/similar"),
        client.get("/api/search", {"q": "hands shake tremor"}),
        client.get("/api/suggestions", {"title": "Shaking hands", "body": "My hands shake when I hold a cup"}),
    ]
    assert all(a.status_code == 200 for a in answers)
    assert json.loads(answers[3].content)["count"] == 1
    for answer in answers:
        for secret in _private_parts(private_question):
            assert secret not in answer.content.decode()


def test_waiting_and_hidden_questions_are_not_found(waiting_question: Question, published_question: Question) -> None:
    question_hide(question=published_question, reason="Names a third person")
    for question in (waiting_question, published_question):
        for path in (f"/api/questions/{question.pk}", f"/api/questions/{question.pk}/similar"):
            response = Client().get(path)
            assert response.status_code == 404
            assert response.json() == {"error": {"code": "not_found", "message": "Not found.", "fields": {}}}


def test_departments_and_their_topics(db: None) -> None:
    departments = Client().get("/api/departments").json()
    assert len(departments) == Department.objects.count()
    assert departments[0]["slug"] == Department.objects.first().slug  # type: ignore[union-attr]

    topics = Client().get("/api/departments/neurology/topics").json()
    assert {t["slug"] for t in topics} == set(
        Department.objects.get(slug="neurology").topics.values_list("slug", flat=True)
    )
    assert Client().get("/api/departments/no-such-department/topics").status_code == 404


def test_names_follow_the_request_language(db: None) -> None:
    neurology = Department.objects.get(slug="neurology")
    departments = Client(HTTP_ACCEPT_LANGUAGE="zh-hant").get("/api/departments").json()
    entry = next(d for d in departments if d["slug"] == "neurology")
    assert entry["name"] == neurology.name_zh_hant
    assert entry["name_en"] == neurology.name_en


TREMOR = (
    "Involuntary muscle tension and tremors in the head",
    "For eight years the muscles of my head, neck and around my ears tense up and twitch on their own. "
    "I cannot fall asleep without sleeping pills. What could cause this and what tests should I do?",
)
TREMOR_AGAIN = (
    "Twitching muscles around the ears and neck",
    "For several years my neck and the muscles near my ears twitch and tighten by themselves, worse at night, "
    "and I can only sleep with pills. What is causing this twitching and which tests do I need?",
)
KNEE = (
    "Knee pain after running",
    "My right knee hurts on the outer side after I run more than five kilometres. Should I stop running?",
)


@pytest.fixture
def corpus(
    neurology: Department, doctor: DoctorProfile, django_capture_on_commit_callbacks, settings
) -> list[Question]:
    settings.SEARCH_INDEX_REFRESH_SECONDS = 0
    published = []
    for title, body in (TREMOR, TREMOR_AGAIN, KNEE):
        question = question_create(
            title=title, body=body, age_band="40-49", sex="male", pseudonym="R", department=neurology
        )
        with django_capture_on_commit_callbacks(execute=True):
            reply_publish(question=question, doctor=doctor, body="A doctor's reply about " + title.lower())
        question.refresh_from_db()
        published.append(question)
    return published


def test_similar_questions_are_the_stored_similar_qa_of_the_page(corpus: list[Question]) -> None:
    tremor, tremor_again, knee = corpus
    body = Client().get(f"/api/questions/{tremor.pk}/similar").json()
    assert [item["id"] for item in body] == [q.pk for q in similar_for_page(tremor)]
    assert body[0]["id"] == tremor_again.pk
    assert knee.pk not in [item["id"] for item in body]


def test_search_ranks_as_the_site_does_and_filters_by_department(
    corpus: list[Question], dermatology: Department
) -> None:
    response = Client().get("/api/search", {"q": "ears twitching, cannot sleep"})
    body = response.json()
    assert [item["question"]["id"] for item in body["items"]] == [
        h.question_id for h in search("ears twitching, cannot sleep")
    ]
    assert body["items"][0]["question"]["id"] in (corpus[0].pk, corpus[1].pk)
    assert body["items"][0]["snippet"]
    assert Client().get("/api/search", {"q": "kilometres"}).json()["items"][0]["question"]["id"] == corpus[2].pk
    assert Client().get("/api/search", {"q": "kilometres", "department": "dermatology"}).json()["count"] == 0
    assert Client().get("/api/search", {"q": "   "}).json() == {"count": 0, "page": 1, "per_page": 10, "items": []}
    refused = Client().get("/api/search", {"q": "knee", "department": "nowhere"})
    assert refused.status_code == 422
    assert "department" in refused.json()["error"]["fields"]


def test_suggestions_while_asking(corpus: list[Question]) -> None:
    text = {
        "title": "My ears and neck twitch",
        "body": "For years the muscles near my ears twitch and I need pills to sleep.",
    }
    body = Client().get("/api/suggestions", text).json()
    assert body and body[0]["id"] in (corpus[0].pk, corpus[1].pk)
    assert corpus[2].pk not in [item["id"] for item in body]
    assert Client().get("/api/suggestions", {"title": "ears"}).json() == []


def test_lists_take_the_same_queries_for_one_question_or_many(
    neurology: Department, doctor: DoctorProfile, django_assert_num_queries
) -> None:
    answered_question(department=neurology, doctor=doctor, title="The first one")
    with CaptureQueriesContext(connection) as one:
        assert len(Client().get("/api/questions").json()["items"]) == 1
    for number in range(5):
        answered_question(department=neurology, doctor=doctor, title=f"Another one {number}")
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(Client().get("/api/questions").json()["items"]) == 6
