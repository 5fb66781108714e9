"""Set-up that repeats across the view tests of several apps: questions asked and answered through the services."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from accounts.models import DoctorProfile, User
from departments.models import Department, Topic
from questions.models import Question
from questions.services import question_create, reply_publish


def asked_question(
    *,
    department: Department | None,
    title: str = "Pins and needles in both feet",
    body: str = "For two months both feet tingle at night and the feeling goes up to my knees. Should I worry?",
    asker: User | None = None,
    created_at: datetime | None = None,
) -> Question:
    question = question_create(
        title=title,
        body=body,
        age_band="30-39",
        sex="male",
        pseudonym="Calm Heron 42",
        department=department,
        asker=asker,
    )
    if created_at is not None:
        # The services stamp "now"; tests that check ordering set the time explicitly instead.
        Question.objects.filter(pk=question.pk).update(created_at=created_at)
        question.created_at = created_at
    return question


def answered_question(
    *,
    department: Department,
    doctor: DoctorProfile,
    title: str = "Pins and needles in both feet",
    reply: str = "Tingling in both feet can come from the nerves; a blood test for sugar and vitamin B12 helps.",
    public_title: str = "",
    topics: Iterable[Topic] = (),
    published_at: datetime | None = None,
) -> Question:
    question = asked_question(department=department, title=title)
    reply_publish(question=question, doctor=doctor, body=reply, public_title=public_title, topics=topics)
    if published_at is not None:
        Question.objects.filter(pk=question.pk).update(published_at=published_at)
    question.refresh_from_db()
    return question
