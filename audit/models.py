from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    QUESTION_CLAIM = "question_claim", _("Claimed a question")
    QUESTION_RELEASE = "question_release", _("Released a question")
    REPLY_PUBLISH = "reply_publish", _("Published a reply")
    QUESTION_TITLE = "question_title", _("Changed a public title")
    QUESTION_MOVE = "question_move", _("Moved a question")
    QUESTION_HIDE = "question_hide", _("Hid a question")
    QUESTION_UNHIDE = "question_unhide", _("Made a question visible again")
    REPLY_HIDE = "reply_hide", _("Hid a reply")
    DOCTOR_VERIFY = "doctor_verify", _("Verified a doctor")
    MOREINFO_APPROVE = "moreinfo_approve", _("Approved a More Info text")
    MOREINFO_REJECT = "moreinfo_reject", _("Rejected a More Info draft")
    LOGIN_UNLOCK = "login_unlock", _("Lifted a login lockout")


class AuditEntry(models.Model):
    """One action of a doctor or moderator. Rows are only ever added.

    The actor's name and the target's label are copied, so an entry still reads the same after the
    user or the object is renamed or deleted.
    """

    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_entries"
    )
    actor_name = models.CharField(_("who"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=40, choices=Action.choices)
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(_("object"), max_length=200, blank=True)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [
            models.Index(fields=["actor", "-created_at"], name="audit_actor_idx"),
            models.Index(fields=["action", "-created_at"], name="audit_action_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name or '-'} {self.action} {self.target_label}"
