from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class BilingualName(models.Model):
    name_en = models.CharField(_("English name"), max_length=120)
    name_zh_hant = models.CharField(_("Traditional Chinese name"), max_length=120)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language."""
        if (get_language() or "").lower().startswith("zh"):
            return self.name_zh_hant or self.name_en
        return self.name_en


class Department(BilingualName):
    slug = models.SlugField(unique=True, max_length=60)
    position = models.PositiveSmallIntegerField(default=0, help_text=_("Order in lists; busiest departments first."))

    class Meta:
        ordering = ["position", "slug"]

    def get_absolute_url(self) -> str:
        return reverse("departments:detail", args=[self.slug])


class Topic(BilingualName):
    """A Related FAQ topic inside a department, with a page of its own."""

    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="topics")
    slug = models.SlugField(max_length=80)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["department__position", "position", "slug"]
        constraints = [models.UniqueConstraint(fields=["department", "slug"], name="topic_unique_slug_per_department")]

    def __str__(self) -> str:
        return f"{self.name} ({self.department.name})"

    def get_absolute_url(self) -> str:
        return reverse("departments:topic", args=[self.department.slug, self.slug])
