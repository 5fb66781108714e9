from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

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
    return profile
