"""sitemap.xml: the answered questions, the departments and their Related FAQ topics.

Addresses are built from SITE_URL rather than the request's host. Each section is paginated by Django
(50,000 addresses a page) and listed page by page in the index, so one page costs two queries
whatever the number of questions.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max, Q, QuerySet

from departments.models import Department, Topic

from .models import Question

if TYPE_CHECKING:
    # The sites framework is not installed; sitemaps only pass its objects around.
    from django.contrib.sites.models import Site
    from django.contrib.sites.requests import RequestSite

T = TypeVar("T")
_PUBLIC_REPLY = Q(replies__hidden_at__isnull=True)


class SiteUrlSitemap(Sitemap[T]):
    def get_protocol(self, protocol: str | None = None) -> str:
        return urlsplit(settings.SITE_URL).scheme or "https"

    def get_domain(self, site: Site | RequestSite | None = None) -> str:
        return urlsplit(settings.SITE_URL).netloc


class QuestionSitemap(SiteUrlSitemap[Question]):
    """Every public question; lastmod is the later of its publication and its reply's last edit."""

    changefreq = "monthly"

    def items(self) -> QuerySet[Question]:
        return (
            Question.objects.public()
            .annotate(reply_updated_at=Max("replies__updated_at", filter=_PUBLIC_REPLY))
            .only("pk", "public_title", "scrubbed_title", "published_at")
            .order_by("pk")
        )

    def lastmod(self, item: Question) -> datetime | None:
        moments = [moment for moment in (item.published_at, item.reply_updated_at) if moment is not None]  # type: ignore[attr-defined]
        return max(moments) if moments else None

    def get_latest_lastmod(self) -> datetime | None:
        # One aggregate instead of Django's default, which would walk every question.
        latest = Question.objects.public().aggregate(
            published=Max("published_at"), replied=Max("replies__updated_at", filter=_PUBLIC_REPLY)
        )
        moments = [moment for moment in latest.values() if moment is not None]
        return max(moments) if moments else None


def _latest_public_answer(prefix: str) -> Max:
    return Max(
        f"{prefix}published_at",
        filter=Q(**{f"{prefix}status": Question.Status.PUBLISHED, f"{prefix}hidden_at__isnull": True}),
    )


class DepartmentSitemap(SiteUrlSitemap[Department]):
    """Every department page; lastmod is its newest answer."""

    changefreq = "daily"

    def items(self) -> QuerySet[Department]:
        return Department.objects.annotate(latest_answer=_latest_public_answer("questions__")).order_by(
            "position", "pk"
        )

    def lastmod(self, item: Department) -> datetime | None:
        return item.latest_answer  # type: ignore[attr-defined]

    def get_latest_lastmod(self) -> datetime | None:
        return Question.objects.public().aggregate(latest=Max("published_at"))["latest"]


class TopicSitemap(SiteUrlSitemap[Topic]):
    """Related FAQ topic pages that have at least one answered question (an empty topic is not worth a visit)."""

    changefreq = "weekly"

    def items(self) -> QuerySet[Topic]:
        return (
            Topic.objects.annotate(latest_answer=_latest_public_answer("questions__"))
            .filter(latest_answer__isnull=False)
            .select_related("department")
            .only("slug", "department__slug")
            .order_by("department__position", "position", "pk")
        )

    def lastmod(self, item: Topic) -> datetime | None:
        return item.latest_answer  # type: ignore[attr-defined]

    def get_latest_lastmod(self) -> datetime | None:
        return Question.objects.public().filter(topics__isnull=False).aggregate(latest=Max("published_at"))["latest"]


SITEMAPS: dict[str, type[Sitemap[Any]]] = {
    "questions": QuestionSitemap,
    "departments": DepartmentSitemap,
    "topics": TopicSitemap,
}
