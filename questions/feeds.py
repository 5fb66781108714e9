"""Atom feeds of new answers: one for the whole site and one per department (Django's syndication)."""

from __future__ import annotations

from datetime import datetime

from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html, linebreaks
from django.utils.translation import gettext as _

from accounts.models import DoctorProfile
from departments.models import Department

from .models import Question, Reply
from .selectors import public_questions
from .structured_data import absolute_url

FEED_LENGTH = 30


def _reply(question: Question) -> Reply | None:
    replies: list[Reply] = question.visible_replies  # type: ignore[attr-defined]
    return replies[0] if replies else None


class LatestAnswersFeed(Feed[Question, None]):
    """The newest answered questions of every department: two queries whatever the length."""

    feed_type = Atom1Feed

    def title(self) -> str:
        return _("New answers on MedAnswers")

    def subtitle(self) -> str:
        return _("Health questions answered by verified doctors")

    def link(self) -> str:
        return absolute_url(reverse("home"))

    def feed_url(self) -> str:
        return absolute_url(reverse("answers_feed"))

    def items(self) -> QuerySet[Question]:
        return public_questions()[:FEED_LENGTH]

    def item_title(self, item: Question) -> str:
        # Atom titles are plain text, so no HTML escaping here (the XML writer escapes).
        if item.department is None:
            return item.display_title
        return f"{item.display_title} - {item.department.name}"

    def item_description(self, item: Question) -> str:
        """The public question and the doctor's reply, as HTML (Atom's summary type="html")."""
        reply = _reply(item)
        question = format_html("<p><strong>{}</strong></p>{}", _("Question"), linebreaks(item.public_body, True))
        if reply is None:
            return question
        answer = format_html(
            "<p><strong>{}</strong></p>{}",
            _("Reply from %(doctor)s") % {"doctor": reply.doctor.display_name},
            linebreaks(reply.body, True),
        )
        return question + answer

    def item_link(self, item: Question) -> str:
        return absolute_url(item.get_absolute_url())

    def item_pubdate(self, item: Question) -> datetime | None:
        return item.published_at

    def item_updateddate(self, item: Question) -> datetime | None:
        reply = _reply(item)
        return reply.updated_at if reply is not None else item.published_at

    def item_author_name(self, item: Question) -> str | None:
        reply = _reply(item)
        return reply.doctor.display_name if reply is not None else None

    def item_author_link(self, item: Question) -> str | None:
        reply = _reply(item)
        doctor: DoctorProfile | None = reply.doctor if reply is not None else None
        return absolute_url(doctor.get_absolute_url()) if doctor is not None else None

    def item_categories(self, item: Question) -> list[str]:
        return [item.department.name] if item.department is not None else []


class DepartmentAnswersFeed(LatestAnswersFeed):
    """The newest answered questions of one department."""

    def get_object(self, request: HttpRequest, slug: str) -> Department:  # type: ignore[override]
        return get_object_or_404(Department, slug=slug)

    def title(self, obj: Department) -> str:  # type: ignore[override]
        return _("New answers in %(department)s - MedAnswers") % {"department": obj.name}

    def link(self, obj: Department) -> str:  # type: ignore[override]
        return absolute_url(obj.get_absolute_url())

    def feed_url(self, obj: Department) -> str:  # type: ignore[override]
        return absolute_url(reverse("department_feed", args=[obj.slug]))

    def items(self, obj: Department) -> QuerySet[Question]:  # type: ignore[override]
        return public_questions(department=obj)[:FEED_LENGTH]
