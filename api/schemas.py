"""What the API reads and writes. Public schemas carry only what the question page shows:
the public title, the text with personal data masked, the pseudonym, age band and sex."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.utils.text import Truncator
from ninja import Schema
from pydantic import Field

from accounts.models import DoctorProfile
from departments.models import Department, Topic
from questions.forms import ReplyForm
from questions.models import AgeBand, Question, Reply, Sex

from .forms import ApiAskForm

# The pydantic side documents the form's limits; the form itself remains the check.
NO_NUL = r"^[^\x00]*$"
SLUG = r"^[-a-zA-Z0-9_]+$"
SNIPPET_WORDS = 30


def _lengths(field: forms.Field) -> tuple[int, int | None]:
    assert isinstance(field, forms.CharField)
    return field.min_length or 0, field.max_length


TITLE_MIN, TITLE_MAX = _lengths(ApiAskForm.base_fields["title"])
BODY_MIN, BODY_MAX = _lengths(ApiAskForm.base_fields["body"])
REPLY_MIN, REPLY_MAX = _lengths(ReplyForm.base_fields["body"])


def _absolute(context: Any, path: str) -> str:
    return str(context["request"].build_absolute_uri(path))


class _BilingualPageOut(Schema):
    """A department or topic: its names in both languages and its page."""

    slug: str
    name: str = Field(description="In the request's language (Accept-Language).")
    name_en: str
    name_zh_hant: str
    url: str

    @staticmethod
    def resolve_url(obj: Department | Topic, context: Any) -> str:
        return _absolute(context, obj.get_absolute_url())


class DepartmentOut(_BilingualPageOut):
    pass


class TopicOut(_BilingualPageOut):
    pass


class DoctorOut(Schema):
    id: int
    name: str
    title: str
    hospital: str
    url: str

    @staticmethod
    def resolve_name(obj: DoctorProfile) -> str:
        return str(obj.display_name)

    @staticmethod
    def resolve_url(obj: DoctorProfile, context: Any) -> str:
        return _absolute(context, obj.get_absolute_url())


class ReplyOut(Schema):
    body: str
    doctor: DoctorOut
    replied_at: datetime

    @staticmethod
    def resolve_replied_at(obj: Reply) -> datetime:
        return obj.created_at


def _visible_reply(question: Question) -> Reply | None:
    replies: list[Reply] = getattr(question, "visible_replies", [])
    return replies[0] if replies else None


class QuestionSummary(Schema):
    """A published question in a list: public title, snippets of the question and the reply."""

    id: int
    title: str
    url: str
    department: DepartmentOut | None
    snippet: str
    reply_snippet: str | None
    doctor: DoctorOut | None
    published_at: datetime | None

    @staticmethod
    def resolve_title(obj: Question) -> str:
        return obj.display_title

    @staticmethod
    def resolve_url(obj: Question, context: Any) -> str:
        return _absolute(context, obj.get_absolute_url())

    @staticmethod
    def resolve_snippet(obj: Question) -> str:
        return Truncator(obj.public_body).words(SNIPPET_WORDS)

    @staticmethod
    def resolve_reply_snippet(obj: Question) -> str | None:
        reply = _visible_reply(obj)
        return Truncator(reply.body).words(SNIPPET_WORDS) if reply else None

    @staticmethod
    def resolve_doctor(obj: Question) -> DoctorProfile | None:
        reply = _visible_reply(obj)
        return reply.doctor if reply else None


class QuestionDetail(Schema):
    """A published question as its page shows it."""

    id: int
    title: str = Field(description="The public title.")
    url: str
    body: str = Field(description="The question with personal data masked.")
    pseudonym: str
    age_band: str = Field(description="One of " + ", ".join(AgeBand.values) + "; empty for some imported questions.")
    sex: Sex
    department: DepartmentOut | None
    topics: list[TopicOut]
    asked_at: datetime
    published_at: datetime | None
    reply: ReplyOut | None

    @staticmethod
    def resolve_title(obj: Question) -> str:
        return obj.display_title

    @staticmethod
    def resolve_url(obj: Question, context: Any) -> str:
        return _absolute(context, obj.get_absolute_url())

    @staticmethod
    def resolve_body(obj: Question) -> str:
        return obj.public_body

    @staticmethod
    def resolve_topics(obj: Question) -> list[Topic]:
        return list(obj.topics.all())

    @staticmethod
    def resolve_asked_at(obj: Question) -> datetime:
        return obj.created_at

    @staticmethod
    def resolve_reply(obj: Question) -> Reply | None:
        return _visible_reply(obj)


class Page(Schema):
    count: int = Field(description="Items on all pages.")
    page: int
    per_page: int


class QuestionPage(Page):
    items: list[QuestionSummary]


class SearchResult(Schema):
    question: QuestionSummary
    score: float
    snippet: str = Field(description="The part of the question around the words searched for.")


class SearchPage(Page):
    items: list[SearchResult]


class AskIn(Schema):
    title: str = Field(pattern=NO_NUL, min_length=TITLE_MIN, max_length=TITLE_MAX)
    body: str = Field(pattern=NO_NUL, min_length=BODY_MIN, max_length=BODY_MAX)
    age_band: AgeBand
    sex: Sex
    pseudonym: str = Field(pattern=NO_NUL, max_length=60, description="Shown with the question instead of a name.")
    email: str = Field(
        "", max_length=254, description="Optional; only used to tell the asker when a doctor has answered."
    )
    department: str | None = Field(
        None, pattern=SLUG, max_length=60, description="A department's slug; leave out if not sure."
    )
    confirm_masking: bool = Field(
        False,
        description="Personal details (names, phone numbers, addresses…) are masked on the public page. "
        "A question that contains some is refused with code `personal_data` until it is sent again with "
        "this set to true, as the site's form shows what will be masked before posting.",
    )


class RedFlagOut(Schema):
    kind: str
    label: str


class AskOut(Schema):
    id: int
    status: str
    department: str | None = Field(description="The department's slug, or null while it waits for triage.")
    auto_routed: bool
    urgent: bool = Field(description="The question may describe an emergency.")
    red_flags: list[RedFlagOut]
    advice: list[str] = Field(description="What to do now when the question may describe an emergency.")
    follow_url: str = Field(description="The asker's private page for this question. Keep it secret.")
    follow_token: str = Field(description="The secret part of follow_url.")


class QueueItem(Schema):
    """A waiting question as its department's doctors see it: the asker's own words, no contact details."""

    id: int
    title: str
    body: str
    pseudonym: str
    age_band: str
    sex: Sex
    department: DepartmentOut | None
    urgent: bool
    red_flags: list[str]
    asked_at: datetime
    claimed_by: DoctorOut | None = Field(description="The doctor answering it, while the claim lasts.")
    claimed_until: datetime | None

    @staticmethod
    def resolve_asked_at(obj: Question) -> datetime:
        return obj.created_at

    @staticmethod
    def resolve_claimed_by(obj: Question) -> DoctorProfile | None:
        return obj.claimed_by if obj.claim_is_active() else None

    @staticmethod
    def resolve_claimed_until(obj: Question) -> datetime | None:
        return obj.claimed_until if obj.claim_is_active() else None


class QueuePage(Page):
    items: list[QueueItem]


class ClaimOut(Schema):
    id: int
    claimed_until: datetime | None = Field(description="Until when the question is reserved for you.")


class ReplyIn(Schema):
    body: str = Field(pattern=NO_NUL, min_length=REPLY_MIN, max_length=REPLY_MAX)
    public_title: str = Field(
        "", pattern=NO_NUL, max_length=150, description="Leave empty to keep the asker's title (masked)."
    )
    topics: list[str] = Field(
        default_factory=list, max_length=20, description="Slugs of Related FAQ topics of the question's department."
    )
