"""The verified doctor's pages: the queue, claiming, replying, releasing and the public title."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import DoctorProfile
from conftest import client_for
from departments.models import Department
from questions.models import Question
from questions.services import question_claim, question_hide
from questions.tests.factories import answered_question, asked_question

DRAFT = "Tremor of the head that lasts for years is often essential tremor; a neurologist can examine you."


def _reply_form(**overrides: object) -> dict[str, object]:
    return {"body": DRAFT, "public_title": "", **overrides}


def test_queue_lists_waiting_questions_of_my_departments_oldest_first_with_waiting_time(
    doctor: DoctorProfile, other_doctor: DoctorProfile, neurology: Department, dermatology: Department
) -> None:
    now = timezone.now()
    newer = asked_question(department=neurology, title="Numb hands when I wake up", created_at=now - timedelta(hours=5))
    older = asked_question(department=neurology, title="Dizzy when I stand up", created_at=now - timedelta(days=3))
    asked_question(department=dermatology, title="A rash on both elbows")
    asked_question(department=None, title="Tired all the time, which doctor?")
    question_hide(question=asked_question(department=neurology, title="Buy my pills online"), reason="Advertising")
    answered_question(department=neurology, doctor=doctor, title="Migraine with aura")

    response = client_for(doctor.user).get(reverse("questions:doctor_queue"))
    assert response.status_code == 200
    assert list(response.context["questions"]) == [older, newer]
    page = response.content.decode()
    assert page.index("Dizzy when I stand up") < page.index("Numb hands when I wake up")
    assert "3\xa0days" in page
    assert "5\xa0hours" in page
    for absent in ("A rash on both elbows", "Tired all the time", "Buy my pills online", "Migraine with aura"):
        assert absent not in page


def test_claim_then_publish_makes_the_public_page(
    waiting_question: Question, doctor: DoctorProfile, neurology: Department
) -> None:
    client = client_for(doctor.user)
    answer_url = reverse("questions:doctor_answer", args=[waiting_question.pk])

    response = client.post(reverse("questions:doctor_claim", args=[waiting_question.pk]))
    assert response.status_code == 302
    assert response["Location"] == answer_url
    waiting_question.refresh_from_db()
    assert waiting_question.claimed_by == doctor
    assert "You are answering this question." in client.get(answer_url).content.decode()

    topics = list(neurology.topics.filter(slug__in=["muscle-tremors", "insomnia"]))
    response = client.post(
        answer_url,
        _reply_form(
            public_title="Involuntary Muscle Tension and Tremors in the Head",
            topics=[topic.pk for topic in topics],
        ),
    )
    waiting_question.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == waiting_question.get_absolute_url()
    assert waiting_question.is_public
    assert waiting_question.claimed_by is None

    page = Client().get(response["Location"]).content.decode()
    reply = waiting_question.replies.get()
    assert "<h1>Involuntary Muscle Tension and Tremors in the Head - Neurology</h1>" in page
    assert DRAFT in page
    reply_date = timezone.localtime(reply.created_at).strftime("%Y/%m/%d")
    assert f'<a href="{doctor.get_absolute_url()}">Dr Lin Meihua</a>, Neurology. Reply Date: {reply_date}' in page
    for topic in topics:
        assert f'<a href="{topic.get_absolute_url()}">{topic.name} (Neurology)</a>' in page


def test_reply_to_a_question_claimed_by_another_doctor_is_refused_and_the_draft_kept(
    waiting_question: Question, doctor: DoctorProfile, second_doctor: DoctorProfile
) -> None:
    question_claim(question=waiting_question, doctor=second_doctor)
    client = client_for(doctor.user)
    answer_url = reverse("questions:doctor_answer", args=[waiting_question.pk])
    assert "Dr Chen Wei is answering this question" in client.get(answer_url).content.decode()

    response = client.post(answer_url, _reply_form())
    assert response.status_code == 409
    page = response.content.decode()
    assert "Another doctor has claimed this question." in page
    assert DRAFT in page
    assert not waiting_question.replies.exists()


def test_claiming_a_question_another_doctor_holds_is_refused(
    waiting_question: Question, doctor: DoctorProfile, second_doctor: DoctorProfile
) -> None:
    question_claim(question=waiting_question, doctor=second_doctor)
    response = client_for(doctor.user).post(reverse("questions:doctor_claim", args=[waiting_question.pk]), follow=True)
    assert "Another doctor is answering this question." in response.content.decode()
    waiting_question.refresh_from_db()
    assert waiting_question.claimed_by == second_doctor


def test_reply_to_an_answered_question_is_refused_and_the_draft_kept(
    published_question: Question, second_doctor: DoctorProfile
) -> None:
    response = client_for(second_doctor.user).post(
        reverse("questions:doctor_answer", args=[published_question.pk]), _reply_form()
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "This question has already been answered or is no longer open." in page
    assert DRAFT in page
    assert published_question.replies.get().doctor != second_doctor


def test_release_lets_another_doctor_claim(
    waiting_question: Question, doctor: DoctorProfile, second_doctor: DoctorProfile
) -> None:
    question_claim(question=waiting_question, doctor=doctor)
    response = client_for(doctor.user).post(reverse("questions:doctor_release", args=[waiting_question.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("questions:doctor_queue")
    waiting_question.refresh_from_db()
    assert waiting_question.claimed_by is None

    client_for(second_doctor.user).post(reverse("questions:doctor_claim", args=[waiting_question.pk]))
    waiting_question.refresh_from_db()
    assert waiting_question.claimed_by == second_doctor


def test_releasing_does_not_take_another_doctors_claim(
    waiting_question: Question, doctor: DoctorProfile, second_doctor: DoctorProfile
) -> None:
    question_claim(question=waiting_question, doctor=second_doctor)
    client_for(doctor.user).post(reverse("questions:doctor_release", args=[waiting_question.pk]))
    waiting_question.refresh_from_db()
    assert waiting_question.claimed_by == second_doctor


def test_doctor_sets_the_public_title(published_question: Question, second_doctor: DoctorProfile) -> None:
    response = client_for(second_doctor.user).post(
        reverse("questions:doctor_title", args=[published_question.pk]), {"public_title": "  Head Tremor  "}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("questions:doctor_answer", args=[published_question.pk])
    published_question.refresh_from_db()
    assert published_question.public_title == "Head Tremor"
    assert published_question.title == "Twitching around my ears for years"

    page = Client().get(published_question.get_absolute_url())
    assert "<h1>Head Tremor - Neurology</h1>" in page.content.decode()


def test_a_too_short_reply_is_refused_with_the_draft_kept(waiting_question: Question, doctor: DoctorProfile) -> None:
    response = client_for(doctor.user).post(
        reverse("questions:doctor_answer", args=[waiting_question.pk]), {"body": "See a doctor."}
    )
    assert response.status_code == 400
    assert "Ensure this value has at least 20 characters" in response.content.decode()
    assert "See a doctor." in response.content.decode()
    assert not waiting_question.replies.exists()


def test_a_topic_key_no_database_can_hold_is_refused_with_the_draft_kept(
    waiting_question: Question, doctor: DoctorProfile
) -> None:
    response = client_for(doctor.user).post(
        reverse("questions:doctor_answer", args=[waiting_question.pk]),
        _reply_form(topics=["99999999999999999999999"]),
    )
    assert response.status_code == 400
    assert "is not a valid value" in response.content.decode()
    assert DRAFT in response.content.decode()
    assert not waiting_question.replies.exists()


def test_a_question_hidden_while_the_doctor_writes_keeps_the_draft(
    waiting_question: Question, doctor: DoctorProfile
) -> None:

    client = client_for(doctor.user)
    question_hide(question=waiting_question, reason="Asked twice")
    response = client.post(
        reverse("questions:doctor_answer", args=[waiting_question.pk]),
        {"body": "My careful reply that must not be lost on the way."},
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "My careful reply that must not be lost on the way." in page
    assert "Asked twice" in page
    assert not waiting_question.replies.exists()
