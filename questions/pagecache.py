"""Whole-page cache of public pages for anonymous visitors (question, department, topic and home pages).

`PageCacheMiddleware` stands first in MIDDLEWARE: a stored page is answered before any other middleware,
URL resolution or view runs, as a caching proxy would. Views opt in with `cache_public_page`, which
names the version tokens their page depends on; the middleware stores what such a view returned once
every other middleware has added its headers.

Only a visitor with no session and no pending messages is served from the cache or stored in it, so a
signed-in person never gets an anonymous page and a personal page is never stored. Public pages carry
no per-visitor content (the language menu needs no CSRF token), and a response that sets a cookie or
holds a CSRF token is never stored. Each question has a version token, and the listings share one; a
service that changes what the public sees replaces the tokens (`pages_changed`), which makes every
stored copy of the affected pages unreachable at once. If the cache itself is down, pages are rendered
as if it were empty.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import uuid
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

LISTS_VERSION = "pagecache:lists"
CACHED_QUERY_PARAMETERS = {"page"}
# Where a cacheable view leaves the versions its page was rendered at, for the middleware.
VERSIONS_META = "medanswers.page_versions"

View = Callable[..., HttpResponse]


def _question_version(pk: object) -> str:
    return f"pagecache:q:{pk}"


def pages_changed(*, question_ids: Iterable[int]) -> None:
    """Forget the cached pages of these questions and every cached listing."""
    tokens = {_question_version(pk): uuid.uuid4().hex for pk in question_ids}
    tokens[LISTS_VERSION] = uuid.uuid4().hex
    try:
        cache.set_many(tokens, timeout=None)
    except RedisError:
        # The change itself is saved; stored pages still expire after PAGE_CACHE_SECONDS.
        logger.exception("could not invalidate cached pages of questions %s", sorted(tokens))


def _cacheable(request: HttpRequest) -> bool:
    return (
        request.method in {"GET", "HEAD"}
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and set(request.GET) <= CACHED_QUERY_PARAMETERS
    )


def _current_versions(keys: list[str]) -> dict[str, str]:
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, uuid.uuid4().hex, timeout=None)
            found[key] = cache.get(key)
    return found


def _page_key(request: HttpRequest) -> str:
    language = translation.get_language_from_request(request)
    where = f"{language} {request.scheme}://{request.get_host()}{request.get_full_path()}"
    return "pagecache:page:" + hashlib.sha256(where.encode()).hexdigest()[:40]


class PageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _cacheable(request):
            return self.get_response(request)
        try:
            key = _page_key(request)
            stored = cache.get(key)
            if stored is not None:
                versions, headers, body = stored
                if cache.get_many(list(versions)) == versions:
                    return HttpResponse(body, headers=headers)
        except RedisError:
            logger.warning("page cache unavailable; rendering %s", request.path)
            return self.get_response(request)
        response = self.get_response(request)
        versions = request.META.get(VERSIONS_META)
        if (
            versions
            and request.method == "GET"
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
            and b"csrfmiddlewaretoken" not in response.content
        ):
            try:
                cache.set(key, (versions, dict(response.items()), response.content), settings.PAGE_CACHE_SECONDS)
            except RedisError:
                logger.warning("page cache unavailable; %s not stored", request.path)
        return response


def cache_public_page(*, question_kwarg: str | None = None) -> Callable[[View], View]:
    """Let PageCacheMiddleware keep this public page for anonymous visitors; `question_kwarg` names the
    URL argument holding the question id of a question page (other pages follow the listings' version)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not _cacheable(request):
                return view(request, *args, **kwargs)
            keys = [LISTS_VERSION] if question_kwarg is None else [_question_version(kwargs[question_kwarg])]
            # Read before rendering: a change made meanwhile leaves this copy already out of date.
            with contextlib.suppress(RedisError):
                request.META[VERSIONS_META] = _current_versions(keys)
            response = view(request, *args, **kwargs)
            # A shared HTTP cache in front must not give this copy to a visitor who signs in.
            patch_vary_headers(response, ["Cookie"])
            return response

        return wrapper

    return decorator
