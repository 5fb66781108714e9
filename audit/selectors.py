from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User

from .models import AuditEntry


def audit_entries(*, actor: User | None = None, action: str = "") -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.select_related("actor")
    if actor is not None:
        entries = entries.filter(actor=actor)
    if action:
        entries = entries.filter(action=action)
    return entries
