"""Asking through the API: the ask form's checks, personal-data masking, red flags and the shared rate limit."""

from __future__ import annotations

import json

from django.test import Client
from django.urls import reverse

from accounts.models import User
from conftest import client_for
from departments.models import Department
from questions.models import Question


def _ask(client: Client | None = None, **overrides: object):
    payload: dict[str, object] = {
        "title": "Headache every morning for a month",
        "body": "Every morning for a month I wake up with a dull headache behind my eyes. It goes by noon.",
        "age_band": "20-29",
        "sex": "female",
        "pseudonym": "Quiet Lotus 17",
        "department": "neurology",
        **overrides,
    }
    return (client or Client()).post("/api/questions", json.dumps(payload), content_type="application/json")


def test_asking_returns_the_private_follow_link(neurology: Department) -> None:
    response = _ask(email="lotus@example.org")
    assert response.status_code == 201
    body = response.json()
    question = Question.objects.get()
    assert body["id"] == question.pk
    assert body["status"] == "waiting"
    assert body["department"] == "neurology"
    assert (body["urgent"], body["red_flags"], body["advice"]) == (False, [], [])
    assert body["follow_token"] == question.follow_token
    assert body["follow_url"] == f"http://testserver{question.get_follow_url()}"
    assert question.email == "lotus@example.org"
    assert question.department == neurology
    follow = Client().get(question.get_follow_url())
    assert follow.status_code == 200
    assert "Every morning for a month" in follow.content.decode()


def test_a_session_does_not_make_the_question_an_accounts(asker: User, db: None) -> None:
    assert _ask(client_for(asker)).status_code == 201
    assert Question.objects.get().asker is None


def test_not_sure_of_the_department_waits_for_triage(db: None) -> None:
    body = _ask(department=None).json()
    assert body["department"] is None
    assert Question.objects.get().department is None


def test_the_form_rules_refuse_bad_input_and_nothing_is_saved(db: None) -> None:
    response = _ask(email="not an address", department="no-such-department", pseudonym="   ")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"email", "department", "pseudonym"}
    short = _ask(title="Headache")
    assert short.status_code == 422
    assert list(short.json()["error"]["fields"]) == ["title"]
    assert not Question.objects.exists()

    missing = Client().post("/api/questions", json.dumps({"title": "x"}), content_type="application/json")
    assert missing.status_code == 422
    assert {"body", "age_band", "sex", "pseudonym"} <= set(missing.json()["error"]["fields"])

    broken = Client().post("/api/questions", "{not json", content_type="application/json")
    assert broken.status_code == 400
    assert broken.json()["error"]["code"] == "bad_request"
    assert not Question.objects.exists()


def test_personal_details_are_shown_first_and_masked_once_confirmed(db: None) -> None:
    body = "My phone is 0912-345-678. Every morning I wake up with a dull headache behind my eyes."
    first = _ask(body=body)
    assert first.status_code == 422
    error = first.json()["error"]
    assert error["code"] == "personal_data"
    assert list(error["fields"]) == ["body"]
    assert "0912-345-678" in error["fields"]["body"][0]
    assert not Question.objects.exists()

    confirmed = _ask(body=body, confirm_masking=True)
    assert confirmed.status_code == 201
    question = Question.objects.get()
    assert question.body == body
    assert "0912-345-678" not in question.scrubbed_body


def test_an_emergency_is_flagged_with_advice(settings, db: None) -> None:
    settings.EMERGENCY_NUMBER = "119"
    response = _ask(
        title="Crushing chest pain right now",
        body="I have crushing chest pain spreading to my left arm and I am sweating a lot since ten minutes.",
        department="cardiology",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["urgent"] is True
    assert body["red_flags"] and body["red_flags"][0]["kind"] == "chest-pain"
    assert body["advice"][0] == "This may be an emergency: call 119 now"
    assert Question.objects.get().urgent


def test_the_ask_rate_limit_is_shared_with_the_form_and_refusals_do_not_count(settings, neurology: Department) -> None:
    settings.ASK_RATE = "2/h"
    client = Client()
    assert _ask(client, title="").status_code == 422
    assert _ask(client, title="First headache question").status_code == 201
    form = {
        "title": "Second headache question",
        "body": "Every morning for a month I wake up with a dull headache behind my eyes. It goes by noon.",
        "age_band": "20-29",
        "sex": "female",
        "pseudonym": "Quiet Lotus 17",
        "department": neurology.pk,
    }
    assert client.post(reverse("questions:ask"), form).status_code == 302

    refused = _ask(client, title="Third headache question")
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert Question.objects.count() == 2
    assert _ask(Client(REMOTE_ADDR="192.0.2.7")).status_code == 201
