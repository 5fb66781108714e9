from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone, translation

from accounts.models import DoctorProfile
from questions.models import Question
from questions.services import (
    QuestionActionError,
    question_claim,
    question_create,
    question_move,
    reply_hide,
    reply_publish,
)


def test_publish_makes_question_public_and_mails_the_asker(
    waiting_question: Question, doctor: DoctorProfile, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        reply_publish(question=waiting_question, doctor=doctor, body="See a neurologist soon.", public_title="Tremor")
    waiting_question.refresh_from_db()
    assert waiting_question.is_public
    assert waiting_question.public_title == "Tremor"
    assert waiting_question.title == "Twitching around my ears for years"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["xiaorong@example.org"]
    assert waiting_question.follow_token in mail.outbox[0].body


def test_claim_blocks_another_doctor_until_it_expires(
    waiting_question: Question, doctor: DoctorProfile, second_doctor: DoctorProfile
) -> None:
    question_claim(question=waiting_question, doctor=doctor)
    with pytest.raises(QuestionActionError):
        question_claim(question=waiting_question, doctor=second_doctor)
    with pytest.raises(QuestionActionError):
        reply_publish(question=waiting_question, doctor=second_doctor, body="My reply")

    Question.objects.filter(pk=waiting_question.pk).update(claimed_until=timezone.now() - timedelta(seconds=1))
    question_claim(question=waiting_question, doctor=second_doctor)
    assert waiting_question.claimed_by == second_doctor


def test_answered_question_cannot_be_answered_again(published_question: Question, second_doctor: DoctorProfile) -> None:
    with pytest.raises(QuestionActionError):
        reply_publish(question=published_question, doctor=second_doctor, body="Another reply")
    with pytest.raises(QuestionActionError):
        question_claim(question=published_question, doctor=second_doctor)
    assert published_question.replies.count() == 1


def test_doctor_of_another_department_or_unverified_cannot_claim_or_reply(
    waiting_question: Question, other_doctor: DoctorProfile, unverified_doctor: DoctorProfile
) -> None:
    for doctor in (other_doctor, unverified_doctor):
        with pytest.raises(QuestionActionError):
            question_claim(question=waiting_question, doctor=doctor)
        with pytest.raises(QuestionActionError):
            reply_publish(question=waiting_question, doctor=doctor, body="Reply")
    assert not waiting_question.replies.exists()


def test_hiding_a_reply_reopens_the_question(published_question: Question, second_doctor: DoctorProfile) -> None:
    reply_hide(reply=published_question.replies.get(), reason="Contains a wrong dose")
    published_question.refresh_from_db()
    assert not published_question.is_public
    assert published_question.status == Question.Status.WAITING
    reply_publish(question=published_question, doctor=second_doctor, body="A corrected reply.")
    assert published_question.replies.filter(hidden_at__isnull=True).count() == 1


def test_moving_drops_topics_of_the_old_department(published_question: Question, dermatology) -> None:
    assert published_question.department is not None
    topic = published_question.department.topics.first()
    assert topic is not None
    published_question.topics.add(topic)
    question_move(question=published_question, department=dermatology)
    assert published_question.department == dermatology
    assert not published_question.topics.exists()


def test_the_answer_notice_is_written_in_the_language_the_question_was_asked_in(
    asker, neurology, doctor: DoctorProfile, django_capture_on_commit_callbacks
) -> None:
    with translation.override("zh-hant"):
        question = question_create(
            title="頭痛三天了怎麼辦",
            body="這三天每天下午頭痛，吃止痛藥只好一點，需要看醫生嗎？",
            age_band="40-49",
            sex="female",
            pseudonym="小蓉",
            email="xiaorong@example.org",
            department=neurology,
            asker=asker,
        )
    assert question.language == "zh-hant"
    with django_capture_on_commit_callbacks(execute=True):
        reply_publish(question=question, doctor=doctor, body="請先記錄頭痛的時間，若加劇請就醫。", public_title="")
    assert mail.outbox[0].subject == "醫師已回覆您的問題"
    assert "小蓉" in mail.outbox[0].body
