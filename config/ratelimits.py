"""Per-address rate limits (django-ratelimit) with a clear, translated 429 answer.

The rate is read from settings on every request (LOGIN_RATE, SEARCH_RATE, SUGGEST_RATE), so an
operator changes it in the environment and tests change it with the settings fixture.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django_ratelimit.core import get_usage, is_ratelimited

View = Callable[..., HttpResponseBase]


def too_many_requests(request: HttpRequest, *, fragment: bool = False) -> HttpResponse:
    """The 429 answer: a whole page, or for the ask form's live panels a fragment it can show in place."""
    template = "ratelimit/too_many_fragment.html" if fragment else "ratelimit/too_many.html"
    response = render(request, template, status=429)
    # Clients that honour it wait a minute; the limits are counted per minute or per hour.
    response["Retry-After"] = "60"
    return response


def rate_limited(
    *, group: str, rate_setting: str, method: str = "GET", fragment: bool = False
) -> Callable[[View], View]:
    """Count each request of `method` from one address against settings.<rate_setting>; answer 429 over it."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            rate = getattr(settings, rate_setting)
            if is_ratelimited(request, group=group, key="ip", rate=rate, method=method, increment=True):
                return too_many_requests(request, fragment=fragment)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def ask_limited(request: HttpRequest, *, increment: bool) -> bool:
    """Check (increment=False) or count (increment=True) one question against ASK_RATE.

    Only questions actually sent are counted, so a form with a mistake does not use up the allowance.
    The site's form and the API share the allowance.
    """
    usage = get_usage(request, group="ask", key="ip", rate=settings.ASK_RATE, method="POST", increment=increment)
    if usage is None:
        return False
    if increment:
        return bool(usage["should_limit"])
    # Without incrementing, django-ratelimit compares "count > limit", which would accept one question
    # more than the rate; the limit is reached once the count of sent questions equals it.
    return bool(usage["count"] >= usage["limit"])
