"""A clear 503 page, instead of a server error, while the database or Redis is unreachable.

What a visitor posted (a question being asked, most often) comes back on that page in a form they
can send again or copy, so nothing typed is lost. Nothing on the page needs the database.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

import redis.exceptions
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from django.views import defaults

logger = logging.getLogger(__name__)

UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (
    OperationalError,
    InterfaceError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)
# Never echo secrets back into a page.
NOT_KEPT = {"csrfmiddlewaretoken", "password", "password1", "password2", "old_password", "new_password1"}
RETRY_AFTER_SECONDS = 30


def unavailable_response(request: HttpRequest) -> HttpResponse:
    kept: list[tuple[str, str]] = []
    if request.method == "POST":
        kept = [(name, value) for name in request.POST if name not in NOT_KEPT for value in request.POST.getlist(name)]
    html = render_to_string(
        "503.html",
        {
            "kept": kept,
            "action": request.get_full_path(),
            "csrf_token": get_token(request),
            "retry_after": RETRY_AFTER_SECONDS,
        },
    )
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    # The page may hold what the visitor typed: no shared cache may keep it.
    add_never_cache_headers(response)
    return response


class ServiceUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, UNAVAILABLE_ERRORS):
            return None
        logger.warning("%s %s: service unavailable: %r", request.method, request.path, exception)
        return unavailable_response(request)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: an outage noticed outside a view (a middleware saving the session) is a 503 too."""
    if isinstance(sys.exc_info()[1], UNAVAILABLE_ERRORS):
        return unavailable_response(request)
    return defaults.server_error(request)
