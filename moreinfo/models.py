"""The reference library (trusted patient-education articles) and the More Info of each question."""

from __future__ import annotations

import numpy as np
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import DoctorProfile
from questions.models import Question, Reply


class Section(models.TextChoices):
    """The parts of More Info, in the order the page shows them."""

    SYMPTOMS = "symptoms", _("Understanding the symptoms")
    CAUSES = "causes", _("Possible causes")
    SELF_CARE = "self_care", _("What you can do")
    URGENT = "urgent", _("When to seek care urgently")


SECTION_ORDER = {key: position for position, key in enumerate(Section.values)}

# Licences whose text a credit links to.
LICENCE_URLS = {"CC BY 4.0": "https://creativecommons.org/licenses/by/4.0/"}


def licence_url(licence: str) -> str:
    return LICENCE_URLS.get(licence, "")


class ReferenceArticleQuerySet(models.QuerySet["ReferenceArticle"]):
    def current(self) -> ReferenceArticleQuerySet:
        return self.filter(withdrawn_at__isnull=True)


class ReferenceArticle(models.Model):
    """One question-answer article of a trusted source (for example a MedQuAD entry from an NIH site)."""

    source = models.CharField(_("source"), max_length=60)
    # The site within the source that wrote the article (MedQuAD's "CancerGov", "NIDDK"...).
    publisher = models.CharField(_("publisher"), max_length=120, blank=True)
    external_id = models.CharField(max_length=200)
    title = models.CharField(_("title"), max_length=300)
    question = models.TextField(_("question"))
    question_type = models.CharField(_("question type"), max_length=60, blank=True)
    answer = models.TextField(_("answer"))
    url = models.URLField(_("address"), max_length=500, blank=True)
    licence = models.CharField(_("licence"), max_length=100)
    attribution = models.CharField(_("attribution"), max_length=300, blank=True)
    # A digest of the fields above that the text depends on: a re-import that changes it makes drafts stale.
    content_hash = models.CharField(max_length=64)
    imported_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = ReferenceArticleQuerySet.as_manager()

    class Meta:
        ordering = ["source", "title", "pk"]
        constraints = [models.UniqueConstraint(fields=["source", "external_id"], name="reference_unique_external_id")]
        indexes = [models.Index(fields=["source", "title"], name="reference_focus_idx")]

    def __str__(self) -> str:
        return self.question

    def get_absolute_url(self) -> str:
        return reverse("moreinfo:article", args=[self.pk])

    @property
    def credit(self) -> str:
        return f"{self.source} ({self.publisher})" if self.publisher else self.source


class ArticleEmbedding(models.Model):
    """The meaning vector of an article's question (float32 bytes), matched against askers' questions."""

    article = models.OneToOneField(
        ReferenceArticle, on_delete=models.CASCADE, primary_key=True, related_name="embedding"
    )
    model_name = models.CharField(max_length=64)
    model_version = models.CharField(max_length=16)
    vector = models.BinaryField()
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.model_name}:{self.model_version} for article {self.article_id}"

    def as_array(self) -> np.ndarray:
        return np.frombuffer(bytes(self.vector), dtype=np.float32)


class StaleReason(models.TextChoices):
    CHANGED = "changed", _("A source article changed since this draft was made.")
    WITHDRAWN = "withdrawn", _("A source article was withdrawn from the reference library.")


class MoreInfo(models.Model):
    """A question's Related FAQ articles, its More Info draft, and the approved text the public sees.

    The page reads this one row: `related` and `public` are snapshots written by the services, which
    keep them in step with the articles (a withdrawn or changed article leaves them at once).
    """

    class Status(models.TextChoices):
        NONE = "none", _("no draft")
        REVIEW = "review", _("waiting for review")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    question = models.OneToOneField(Question, on_delete=models.CASCADE, related_name="more_info")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NONE)
    # [{"id", "title", "question"}] of the articles that answer the question, best first.
    related = models.JSONField(default=list, blank=True)

    generator = models.CharField(max_length=40, blank=True)
    generator_note = models.CharField(max_length=300, blank=True)
    drafted_at = models.DateTimeField(null=True, blank=True)
    draft_reply = models.ForeignKey(Reply, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Why the draft must be looked at again; empty while its sources are as they were when it was made.
    stale_reason = models.CharField(max_length=12, choices=StaleReason.choices, blank=True)

    # What the page shows: {"sections": [{"key", "sentences": [{"text", "sources": [1, 2]}]}],
    # "sources": [{"id", "title", "question", "credit", "url", "licence", "attribution"}]}.
    public = models.JSONField(default=dict, blank=True)
    public_reply = models.ForeignKey(Reply, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_by = models.ForeignKey(
        DoctorProfile, null=True, blank=True, on_delete=models.SET_NULL, related_name="reviewed_more_info"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # Every article the page shows (Related FAQ and the public sources), so a changed one finds its pages.
    shown_articles = models.ManyToManyField(ReferenceArticle, blank=True, related_name="shown_on")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("More Info")
        verbose_name_plural = _("More Info")
        indexes = [models.Index(fields=["status", "drafted_at"], name="moreinfo_review_idx")]

    def __str__(self) -> str:
        return f"More Info of question {self.question_id} ({self.status})"

    @property
    def is_stale(self) -> bool:
        return bool(self.stale_reason)


class DraftSentence(models.Model):
    """One sentence of a More Info draft and the articles it comes from (never none)."""

    more_info = models.ForeignKey(MoreInfo, on_delete=models.CASCADE, related_name="sentences")
    section = models.CharField(max_length=12, choices=Section.choices)
    position = models.PositiveSmallIntegerField()
    text = models.TextField(max_length=1000)
    sources = models.ManyToManyField(ReferenceArticle, related_name="draft_sentences")
    edited = models.BooleanField(default=False)

    class Meta:
        ordering = ["more_info", "position"]

    def __str__(self) -> str:
        return self.text[:60]
