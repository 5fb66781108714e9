from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from config.ratelimits import rate_limited
from departments.models import Department

from . import services


def check_context(title: str, body: str) -> dict[str, Any]:
    """What the ask form shows while typing and before sending: red flags, departments, masking."""
    result = services.triage_text(title, body)
    departments = Department.objects.in_bulk([d.slug for d in result.departments], field_name="slug")
    masked = [services.masking_preview(text) for text in (title, body)]
    return {
        "red_flags": result.red_flags,
        "emergency_number": settings.EMERGENCY_NUMBER,
        "departments": [
            {"department": departments[d.slug], "confidence": d.confidence}
            for d in result.departments
            if d.slug in departments
        ],
        "masked": [segments for segments in masked if any(s.kind for s in segments)],
    }


@never_cache
@rate_limited(group="triage-check", rate_setting="SUGGEST_RATE", fragment=True)
def check(request: HttpRequest) -> HttpResponse:
    """The ask form's live triage panel (an HTML fragment); the form itself works without it."""
    title = request.GET.get("title", "")[:150]
    body = request.GET.get("body", "")[:5000]
    if len(f"{title} {body}".strip()) < 12:
        return HttpResponse("")
    return render(request, "triage/check.html", check_context(title, body))
