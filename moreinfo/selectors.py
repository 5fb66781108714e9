"""Reads of More Info for pages: what the question page shows, and the doctors' review lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404
from django.urls import reverse

from accounts.models import DoctorProfile
from questions.models import Question, Reply

from .models import DraftSentence, MoreInfo, ReferenceArticle, Section, licence_url


@dataclass(frozen=True)
class RelatedLink:
    title: str
    question: str
    url: str


@dataclass(frozen=True)
class PublicSentence:
    text: str
    sources: list[int]


@dataclass(frozen=True)
class PublicSection:
    key: str
    title: str
    sentences: list[PublicSentence]


@dataclass(frozen=True)
class PublicSource:
    number: int
    title: str
    question: str
    credit: str
    page_url: str
    url: str
    licence: str
    licence_url: str
    attribution: str


@dataclass(frozen=True)
class PublicMoreInfo:
    sections: list[PublicSection]
    sources: list[PublicSource]
    reviewed_by: DoctorProfile
    reviewed_at: datetime


@dataclass(frozen=True)
class PageMoreInfo:
    related: list[RelatedLink]
    text: PublicMoreInfo | None


def for_page(*, question: Question, reply: Reply | None) -> PageMoreInfo:
    """The question page's Related FAQ articles and approved More Info (one query).

    The approved text shows only with the reply it was approved for: a new reply after a hidden one
    sends it back to review without any write having to happen first.
    """
    row = MoreInfo.objects.filter(question=question).select_related("reviewed_by").first()
    if row is None:
        return PageMoreInfo(related=[], text=None)
    related = [
        RelatedLink(title=r["title"], question=r["question"], url=reverse("moreinfo:article", args=[r["id"]]))
        for r in row.related
    ]
    public = row.public
    if (
        not public.get("sections")
        or reply is None
        or row.public_reply_id != reply.pk
        or row.reviewed_by is None
        or row.reviewed_at is None
    ):
        return PageMoreInfo(related=related, text=None)
    titles = dict(Section.choices)
    text = PublicMoreInfo(
        sections=[
            PublicSection(
                key=section["key"],
                title=str(titles[section["key"]]),
                sentences=[PublicSentence(text=s["text"], sources=s["sources"]) for s in section["sentences"]],
            )
            for section in public["sections"]
        ],
        sources=[
            PublicSource(
                number=number,
                title=s["title"],
                question=s["question"],
                credit=s["credit"],
                page_url=reverse("moreinfo:article", args=[s["id"]]),
                url=s["url"],
                licence=s["licence"],
                licence_url=licence_url(s["licence"]),
                attribution=s["attribution"],
            )
            for number, s in enumerate(public["sources"], 1)
        ],
        reviewed_by=row.reviewed_by,
        reviewed_at=row.reviewed_at,
    )
    return PageMoreInfo(related=related, text=text)


def review_queue(*, doctor: DoctorProfile) -> QuerySet[MoreInfo]:
    """Drafts of the doctor's departments waiting for review, on public questions, oldest draft first."""
    return (
        MoreInfo.objects.filter(
            status=MoreInfo.Status.REVIEW,
            question__in=Question.objects.public(),
            question__department__in=doctor.departments.all(),
        )
        .select_related("question", "question__department")
        .annotate(sentence_count=Count("sentences"))
        .order_by("drafted_at", "pk")
    )


def draft_for_review(*, doctor: DoctorProfile, question_pk: int) -> MoreInfo:
    """The More Info of a question in the doctor's departments, with its sentences and their sources; 404 otherwise."""
    more_info = (
        MoreInfo.objects.filter(question_id=question_pk, question__department__in=doctor.departments.all())
        .select_related("question", "question__department", "draft_reply", "reviewed_by")
        .prefetch_related(
            Prefetch(
                "sentences",
                queryset=DraftSentence.objects.prefetch_related(
                    Prefetch("sources", queryset=ReferenceArticle.objects.order_by("pk"))
                ),
            )
        )
        .first()
    )
    if more_info is None:
        raise Http404
    return more_info


def question_for_reviewer(*, doctor: DoctorProfile, question_pk: int) -> Question:
    """A public question of the doctor's departments; 404 for any other, so nothing leaks."""
    question = Question.objects.public().filter(pk=question_pk, department__in=doctor.departments.all()).first()
    if question is None:
        raise Http404
    return question


def article_get(*, pk: int) -> ReferenceArticle:
    article = ReferenceArticle.objects.current().filter(pk=pk).first()
    if article is None:
        raise Http404
    return article
