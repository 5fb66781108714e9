from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from departments.models import Department


class User(AbstractUser):
    """An account. Anyone may ask without one; an account lets an asker see "My questions".

    Roles: a doctor is a user with a verified DoctorProfile; a moderator has is_moderator.
    """

    is_moderator = models.BooleanField(_("moderator"), default=False)

    @property
    def verified_doctor(self) -> DoctorProfile | None:
        profile: DoctorProfile | None = getattr(self, "doctor_profile", None)
        if profile is not None and profile.is_verified:
            return profile
        return None


class DoctorProfile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="doctor_profile")
    name = models.CharField(_("full name"), max_length=120)
    title = models.CharField(_("title"), max_length=120, help_text=_("For example: Attending Physician"))
    hospital = models.CharField(_("hospital"), max_length=200)
    departments = models.ManyToManyField(Department, related_name="doctors", verbose_name=_("departments"))
    licence_number = models.CharField(_("licence number"), max_length=60, unique=True)
    bio = models.TextField(_("about"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="verified_doctors"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("accounts:doctor", args=[self.pk])

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def display_name(self) -> str:
        return _("Dr %(name)s") % {"name": self.name}
