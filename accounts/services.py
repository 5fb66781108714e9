from __future__ import annotations

from collections.abc import Iterable

from axes.models import AccessAttempt
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Action
from audit.services import record
from departments.models import Department

from .models import DoctorProfile, User


@transaction.atomic
def doctor_register(
    *,
    user: User,
    name: str,
    title: str,
    hospital: str,
    licence_number: str,
    departments: Iterable[Department],
    bio: str = "",
) -> DoctorProfile:
    """Create an unverified doctor profile; a moderator verifies it before the doctor can answer."""
    profile = DoctorProfile(
        user=user,
        name=name.strip(),
        title=title.strip(),
        hospital=hospital.strip(),
        licence_number=licence_number.strip(),
        bio=bio.strip(),
    )
    profile.full_clean(exclude=["departments"])
    profile.save()
    profile.departments.set(list(departments))
    return profile


def doctor_verify(*, profile: DoctorProfile, moderator: User) -> DoctorProfile:
    profile.verified_at = timezone.now()
    profile.verified_by = moderator
    profile.save(update_fields=["verified_at", "verified_by"])
    record(actor=moderator, action=Action.DOCTOR_VERIFY, target=profile, detail=profile.licence_number)
    return profile


def login_unlock(*, attempt: AccessAttempt, actor: User | None = None) -> None:
    """Lift a lockout of django-axes before its cool-off ends (the person proved who they are)."""
    username, address = attempt.username or "", attempt.ip_address or ""
    attempt.delete()
    record(
        actor=actor,
        action=Action.LOGIN_UNLOCK,
        detail=_("%(username)s from %(address)s") % {"username": username, "address": address},
    )
