"""Reads of questions that are more than one query."""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from accounts.models import DoctorProfile
from departments.models import Department, Topic

from .models import Question, Reply


def _with_visible_reply(queryset: QuerySet[Question]) -> QuerySet[Question]:
    """Attach `visible_replies` (a list of at most one reply) with its doctor, in one extra query."""
    return queryset.select_related("department").prefetch_related(
        Prefetch(
            "replies",
            queryset=Reply.objects.filter(hidden_at__isnull=True).select_related("doctor"),
            to_attr="visible_replies",
        )
    )


def public_questions(
    *, department: Department | None = None, topic: Topic | None = None, doctor: DoctorProfile | None = None
) -> QuerySet[Question]:
    """Answered questions anyone may read, newest answer first, ready for a list with reply snippets."""
    queryset = Question.objects.public()
    if department is not None:
        queryset = queryset.filter(department=department)
    if topic is not None:
        queryset = queryset.filter(topics=topic)
    if doctor is not None:
        queryset = queryset.filter(replies__doctor=doctor, replies__hidden_at__isnull=True)
    return _with_visible_reply(queryset.order_by("-published_at", "-pk"))


def public_questions_by_id(ids: Collection[int]) -> dict[int, Question]:
    """The public questions among `ids`, by primary key, with department and visible reply (two queries)."""
    # Each fetched row is tested with `is_public` instead of putting the status in the WHERE clause: with it
    # there, SQLite without table statistics (ANALYZE never run, the usual case) walks every published
    # question through the status index rather than looking up these few keys, 60 ms of a suggestion
    # request at 100,000 questions.
    return {q.pk: q for q in _with_visible_reply(Question.objects.filter(pk__in=ids)) if q.is_public}


def public_question_get(*, pk: int) -> Question:
    """The public page's question with its department, visible reply and topics; 404 unless public."""
    queryset = _with_visible_reply(Question.objects.public()).prefetch_related(
        Prefetch("topics", queryset=Topic.objects.select_related("department"))
    )
    question = queryset.filter(pk=pk).first()
    if question is None:
        raise Http404
    return question


def question_with_history(*, queryset: QuerySet[Question], **lookup: object) -> Question:
    """A question with its department, topics and all replies (hidden ones too), for the people who may see them."""
    question = (
        queryset.select_related("department", "claimed_by")
        .prefetch_related(
            Prefetch("replies", queryset=Reply.objects.select_related("doctor")),
            Prefetch("topics", queryset=Topic.objects.select_related("department")),
        )
        .filter(**lookup)
        .first()
    )
    if question is None:
        raise Http404
    return question


def doctor_queue(*, doctor: DoctorProfile) -> QuerySet[Question]:
    """Waiting questions of the doctor's departments: urgent ones first, then oldest first."""
    return (
        Question.objects.waiting()
        .filter(department__in=doctor.departments.all())
        .select_related("department", "claimed_by")
        .order_by("-urgent", "created_at", "pk")
    )


def triage_queue() -> QuerySet[Question]:
    """Waiting questions whose asker was not sure of the department: urgent first, then oldest first."""
    return Question.objects.waiting().filter(department__isnull=True).order_by("-urgent", "created_at", "pk")
