"""Writing the audit log. Services call record() after the action they audit has succeeded."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import validate_ipv46_address
from django.db import models

from accounts.models import User

from .context import current_address
from .models import Action, AuditEntry


def _valid_address(address: str | None) -> str | None:
    if not address:
        return None
    try:
        validate_ipv46_address(address)
    except ValidationError:
        return None
    return address


def record(
    *,
    actor: User | None,
    action: Action,
    target: models.Model | None = None,
    detail: str = "",
    ip_address: str | None = None,
) -> AuditEntry:
    """Add one entry. actor None means the system (a management command or a task).

    The address defaults to the one of the request being served, if any.
    """
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_name=actor.get_username() if actor is not None and actor.is_authenticated else "",
        action=action,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:200] if target is not None else "",
        detail=detail[:500],
        ip_address=_valid_address(ip_address or current_address()),
    )
