"""Hooks for django-axes, which locks a username at an address after repeated wrong passwords."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

# The length of django-axes' username columns.
USERNAME_COLUMN = 255


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """The answer to a login while the username is locked at this address (AXES_LOCKOUT_CALLABLE)."""
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "accounts/locked_out.html", context, status=429)


def attempted_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The username django-axes records (AXES_USERNAME_CALLABLE), cut to the length of its column.

    Django's login forms do not enforce the username's max_length, so a very long one reaches
    authenticate(); uncut, storing the failed attempt raised a server error on PostgreSQL. No account
    has a username this long, so the cut never merges two real accounts.
    """
    username = credentials.get("username") if credentials else request.POST.get("username")
    return None if username is None else str(username)[:USERNAME_COLUMN]
