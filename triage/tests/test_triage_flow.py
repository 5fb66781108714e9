"""Triage wired into asking: red-flag banners, urgent-first queues, masking, routing, and failures."""

import json
import logging
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.models import DoctorProfile
from conftest import client_for
from departments.models import Department
from questions.models import Question
from questions.services import question_create, reply_publish
from triage import services
from triage.models import RouterSnapshot

pytestmark = pytest.mark.django_db

ASK = {"age_band": "50-59", "sex": "male", "pseudonym": "Quiet Heron 12", "email": ""}
CHEST = (
    "Crushing chest pain right now",
    "For the last twenty minutes I have crushing pain in my chest going into my left arm and I am sweating a lot.",
)
PHONE = (
    "Rash on both arms for a week",
    "I have an itchy red rash on both arms for a week. Please call me on 0912-345-678 if you need more details.",
)


def ask(client: Client, title: str, body: str, *, follow: bool = False, **extra: str) -> object:
    data = {**ASK, "title": title, "body": body, "department": "", **extra}
    return client.post(reverse("questions:ask"), data, follow=follow)


def test_an_emergency_is_posted_marked_urgent_with_a_banner_and_goes_first(
    neurology: Department, doctor: DoctorProfile, settings
) -> None:
    settings.EMERGENCY_NUMBER = "119"
    older = question_create(
        title="Headache every morning for a month",
        body="I wake up with a dull headache every morning for a month. What should I check?",
        age_band="30-39",
        sex="female",
        pseudonym="Amber Finch 20",
        department=neurology,
    )
    response = ask(Client(), *CHEST, department=str(neurology.pk), follow=True)
    question = Question.objects.get(title=CHEST[0])
    assert question.urgent and "chest-pain" in question.red_flags
    page = response.content.decode()  # type: ignore[attr-defined]
    assert "call 119 now" in page
    queue = client_for(doctor.user).get(reverse("questions:doctor_queue")).content.decode()
    assert queue.index(CHEST[0]) < queue.index(older.title)
    assert "urgent" in queue


def test_negated_and_past_problems_are_not_urgent(neurology: Department) -> None:
    question = question_create(
        title="Diet after a stroke",
        body="I had a stroke ten years ago and I have no chest pain now. What diet helps prevent another one?",
        age_band="60-69",
        sex="male",
        pseudonym="Calm Pine 40",
        department=neurology,
    )
    assert not question.urgent


def test_the_live_check_shows_the_banner_departments_and_masking() -> None:
    response = Client().get(reverse("triage:check"), {"title": CHEST[0], "body": CHEST[1] + " Call 0912-345-678."})
    page = response.content.decode()
    assert "This may be an emergency" in page
    assert "Suggested departments" in page
    assert "[phone]" in page and "0912-345-678" in page


def test_personal_data_is_previewed_then_masked_in_public_only(
    dermatology: Department, other_doctor: DoctorProfile, django_capture_on_commit_callbacks
) -> None:
    client = Client()
    first = ask(client, *PHONE, department=str(dermatology.pk))
    assert first.status_code == 200  # type: ignore[attr-defined]
    assert "Personal details will be hidden" in first.content.decode()  # type: ignore[attr-defined]
    assert not Question.objects.exists()
    second = ask(client, *PHONE, department=str(dermatology.pk), masking_seen="True", follow=True)
    question = Question.objects.get()
    assert "0912-345-678" in question.body
    assert "0912-345-678" not in question.public_body and "[phone]" in question.public_body
    assert "0912-345-678" in second.content.decode()  # type: ignore[attr-defined]  # the asker's own page
    doctor_page = client_for(other_doctor.user).get(reverse("questions:doctor_answer", args=[question.pk]))
    assert "0912-345-678" in doctor_page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        reply_publish(question=question, doctor=other_doctor, body="A moisturiser and an antihistamine may help.")
    public = Client().get(question.get_absolute_url()).content.decode()
    assert "0912-345-678" not in public and "[phone]" in public


def test_not_sure_goes_to_a_confident_department_else_to_triage(settings) -> None:
    settings.ROUTER_AUTO_CONFIDENCE = 0.0
    routed = question_create(
        title="Burning when I pee",
        body="It burns when I urinate and I see some blood in my urine since yesterday.",
        age_band="30-39",
        sex="female",
        pseudonym="Swift Otter 11",
        department=None,
    )
    assert routed.department is not None and routed.auto_routed
    assert routed.department.slug == routed.department_suggestions[0]["slug"]
    assert len(routed.department_suggestions) == 3
    settings.ROUTER_AUTO_CONFIDENCE = 1.01
    waiting = question_create(
        title="Burning when I pee",
        body="It burns when I urinate.",
        age_band="30-39",
        sex="female",
        pseudonym="Swift Otter 11",
        department=None,
    )
    assert waiting.department is None and not waiting.auto_routed


def test_a_failing_model_never_blocks_posting(monkeypatch, caplog, settings) -> None:
    settings.ROUTER_AUTO_CONFIDENCE = 0.0

    def broken(text: str, k: int = 3) -> list[services.DepartmentGuess]:
        raise RuntimeError("router exploded")

    monkeypatch.setattr(services, "suggest_departments", broken)
    with caplog.at_level(logging.ERROR):
        response = ask(Client(), "Burning when I pee for two days", "It burns when I urinate and I feel feverish.")
    assert response.status_code == 302  # type: ignore[attr-defined]
    question = Question.objects.get()
    assert question.department is None  # waits in the moderators' triage queue
    assert "router exploded" in caplog.text


def test_triage_command_prints_one_line_per_input(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    lines = [{"text": CHEST[1]}, "not json", {"text": "My email is lin.mei@example.com and my knee hurts."}]
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    out, err = StringIO(), StringIO()
    call_command("triage", str(path), stdout=out, stderr=err)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(rows) == 3
    assert all(len(row["departments"]) >= 3 for row in rows)
    assert rows[0]["urgent"] is True and "chest-pain" in rows[0]["red_flags"]
    assert rows[2]["urgent"] is False and "[email]" in rows[2]["scrubbed_text"]
    assert "line 2" in err.getvalue()


def test_train_router_learns_from_answered_questions(published_question: Question, settings) -> None:
    call_command("train_router", stdout=StringIO())
    snapshot = RouterSnapshot.objects.get()
    assert snapshot.answered_questions == 1
    assert services.suggest_departments("tremor in my head and neck")  # the stored router answers
    settings.ROUTER_RETRAIN_EVERY = 1
    assert not services.router_is_stale()


def test_router_retraining_reads_answered_questions_vectors_from_the_search_index(
    published_question: Question, monkeypatch
) -> None:
    from search.embeddings import embed
    from search.models import QuestionEmbedding
    from search.services import questions_index
    from search.text import question_text
    from search.vectors import index
    from triage import routing

    questions_index(question_ids=[published_question.pk])  # as the task queued on publication does
    index.refresh(force=True)  # this process may hold a snapshot taken within the refresh interval
    embedded: list[str] = []

    def recording_embedder(texts):
        embedded.extend(texts)
        return embed(texts)

    monkeypatch.setattr(routing, "_default_embedder", recording_embedder)
    services.router_train()
    assert embedded and question_text(published_question) not in embedded  # only the seed phrases ran the model
    QuestionEmbedding.objects.all().delete()
    index.refresh(force=True)
    services.router_train()
    assert question_text(published_question) in embedded  # not indexed: embedded here


def test_one_worker_retrains_the_router_at_a_time(published_question: Question, settings) -> None:
    from django.core.cache import cache

    settings.ROUTER_RETRAIN_EVERY = 1
    assert cache.add(services.ROUTER_TRAINING_LOCK, True)  # another worker is training
    assert services.router_retrain_if_stale() is None
    assert not RouterSnapshot.objects.exists()
    cache.delete(services.ROUTER_TRAINING_LOCK)
    snapshot = services.router_retrain_if_stale()
    assert snapshot is not None and snapshot.answered_questions == 1
    assert cache.add(services.ROUTER_TRAINING_LOCK, True)  # released after training
    cache.delete(services.ROUTER_TRAINING_LOCK)
    assert services.router_retrain_if_stale() is None  # fresh now


def test_a_deployment_stores_a_seed_router_once_before_its_web_processes_start(published_question: Question) -> None:
    out = StringIO()
    call_command("train_router", "--seeds-only", "--if-missing", stdout=out)
    snapshot = RouterSnapshot.objects.get()
    assert snapshot.answered_questions == 0 and snapshot.examples > 100
    assert services.suggest_departments("tremor in my head and neck")[0].slug == "neurology"
    call_command("train_router", "--seeds-only", "--if-missing", stdout=out)
    assert RouterSnapshot.objects.count() == 1
    assert "stored already" in out.getvalue()
