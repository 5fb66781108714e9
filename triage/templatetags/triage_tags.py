from typing import Any

from django import template
from django.conf import settings

from questions.models import Question
from triage.redflags import LABELS

register = template.Library()


@register.inclusion_tag("triage/red_flag_banner.html")
def red_flag_banner(question: Question) -> dict[str, Any]:
    """The emergency banner for a stored question (its pending page)."""
    return {
        "red_flags": [{"kind": kind, "label": LABELS.get(kind, kind)} for kind in question.red_flags],
        "emergency_number": settings.EMERGENCY_NUMBER,
    }
