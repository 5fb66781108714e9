from __future__ import annotations

import secrets
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from accounts.models import DoctorProfile
from departments.models import Department, Topic


class AgeBand(models.TextChoices):
    AGE_0_9 = "0-9", _("0~9")
    AGE_10_19 = "10-19", _("10~19")
    AGE_20_29 = "20-29", _("20~29")
    AGE_30_39 = "30-39", _("30~39")
    AGE_40_49 = "40-49", _("40~49")
    AGE_50_59 = "50-59", _("50~59")
    AGE_60_69 = "60-69", _("60~69")
    AGE_70_79 = "70-79", _("70~79")
    AGE_80_PLUS = "80+", _("80 and over")


class Sex(models.TextChoices):
    FEMALE = "female", _("female")
    MALE = "male", _("male")
    ANOTHER = "another", _("another")
    UNDISCLOSED = "undisclosed", _("prefer not to say")


def new_follow_token() -> str:
    return secrets.token_urlsafe(24)


class QuestionQuerySet(models.QuerySet["Question"]):
    def public(self) -> QuestionQuerySet:
        """Published, not hidden, with a visible reply: what anyone may read."""
        return self.filter(status=Question.Status.PUBLISHED, hidden_at__isnull=True)

    def waiting(self) -> QuestionQuerySet:
        return self.filter(status=Question.Status.WAITING, hidden_at__isnull=True)


class Question(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", _("waiting for a doctor")
        PUBLISHED = "published", _("answered")

    title = models.CharField(_("title"), max_length=150)
    public_title = models.CharField(
        _("public title"), max_length=150, blank=True, help_text=_("Set by a doctor or moderator.")
    )
    body = models.TextField(_("question"), max_length=5000)
    # Blank only for questions imported from archives that did not record it.
    age_band = models.CharField(_("age"), max_length=8, choices=AgeBand.choices, blank=True)
    sex = models.CharField(_("sex"), max_length=12, choices=Sex.choices)
    pseudonym = models.CharField(_("pseudonym"), max_length=60)
    email = models.EmailField(_("e-mail for the answer notice"), blank=True)
    # The interface language the question was asked in: the answer notice is written in it.
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="en")
    asker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="questions"
    )
    # No department means "not sure": the question waits in the moderators' triage queue.
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="questions"
    )
    # Triage, computed when the question is asked (see triage.services).
    urgent = models.BooleanField(_("urgent"), default=False)
    red_flags = models.JSONField(default=list, blank=True)
    department_suggestions = models.JSONField(default=list, blank=True)
    auto_routed = models.BooleanField(default=False, help_text=_("Routed by the department model, not the asker."))
    # What the public sees: the title and text with personal data masked. The original stays for the
    # asker, the doctors of the department and moderators.
    scrubbed_title = models.CharField(max_length=150, blank=True)
    scrubbed_body = models.TextField(blank=True)
    topics = models.ManyToManyField(Topic, blank=True, related_name="questions", verbose_name=_("topics"))
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.WAITING)
    follow_token = models.CharField(max_length=64, unique=True, default=new_follow_token, editable=False)

    claimed_by = models.ForeignKey(
        DoctorProfile, null=True, blank=True, on_delete=models.SET_NULL, related_name="claims"
    )
    claimed_until = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.CharField(max_length=500, blank=True)
    # Where an imported question came from, so that importing the same archive again adds nothing.
    source = models.CharField(max_length=60, blank=True)
    external_id = models.CharField(max_length=200, blank=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-created_at"]
        indexes = [
            models.Index(fields=["status", "department", "created_at"], name="question_queue_idx"),
            models.Index(fields=["status", "department", "-urgent", "created_at"], name="question_urgent_queue_idx"),
            models.Index(fields=["department", "status", "-published_at"], name="question_dept_published_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~Q(external_id=""),
                name="question_unique_external_id",
            )
        ]

    def __str__(self) -> str:
        return self.display_title

    def get_absolute_url(self) -> str:
        return reverse("questions:detail", args=[self.pk, self.slug])

    def get_follow_url(self) -> str:
        return reverse("questions:follow", args=[self.follow_token])

    @property
    def display_title(self) -> str:
        """The public title: the one a doctor or moderator set, else the asker's with personal data masked."""
        return self.public_title or self.scrubbed_title

    @property
    def public_body(self) -> str:
        return self.scrubbed_body

    @property
    def slug(self) -> str:
        return slugify(self.display_title, allow_unicode=True)[:80] or "question"

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.hidden_at is None

    def claim_is_active(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.claimed_by_id is not None and self.claimed_until is not None and self.claimed_until > now


class Reply(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="replies")
    doctor = models.ForeignKey(DoctorProfile, on_delete=models.PROTECT, related_name="replies")
    body = models.TextField(_("reply"), max_length=10000)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            # A question has at most one visible reply; a hidden one may be followed by a new one.
            models.UniqueConstraint(
                fields=["question"], condition=Q(hidden_at__isnull=True), name="reply_one_visible_per_question"
            )
        ]

    def __str__(self) -> str:
        return f"Reply to {self.question_id} by {self.doctor_id}"
