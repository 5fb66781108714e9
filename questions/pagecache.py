"""Whole-page cache of public pages for anonymous visitors (question, department, topic and home pages).

Only a visitor with no session and no pending messages is served from the cache or stored in it, so a
signed-in person never gets an anonymous page and a personal page is never stored. Each question has
a version token, and the listings share one; a service that changes what the public sees replaces
the tokens (`pages_changed`), which makes every stored copy of the affected pages unreachable at once.
The CSRF token of a stored page is replaced by the visitor's own when it is served. If the cache
itself is down, pages are rendered as if it were empty.
"""

from __future__ import annotations

import hashlib
import logging
import re
import uuid
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import translation
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

LISTS_VERSION = "pagecache:lists"
CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')
CSRF_PLACEHOLDER = b'name="csrfmiddlewaretoken" value="@csrf@"'
CACHED_QUERY_PARAMETERS = {"page"}

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


def _versions(keys: list[str]) -> str:
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, uuid.uuid4().hex, timeout=None)
            found[key] = cache.get(key)
    return ".".join(str(found[key]) for key in keys)


def _page_key(request: HttpRequest, version_keys: list[str]) -> str:
    where = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    digest = hashlib.sha256(where.encode()).hexdigest()[:32]
    return f"pagecache:page:{translation.get_language()}:{digest}:{_versions(version_keys)}"


def cache_public_page(*, question_kwarg: str | None = None) -> Callable[[View], View]:
    """Cache a public page for anonymous visitors; `question_kwarg` names the URL argument holding the
    question id of a question page (other pages follow the listings' version)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not _cacheable(request):
                return view(request, *args, **kwargs)
            version_keys = [LISTS_VERSION] if question_kwarg is None else [_question_version(kwargs[question_kwarg])]
            try:
                key = _page_key(request, version_keys)
                stored = cache.get(key)
            except RedisError:
                logger.warning("page cache unavailable; rendering %s", request.path)
                return view(request, *args, **kwargs)
            if stored is not None:
                status, content_type, body = stored
                token = f'name="csrfmiddlewaretoken" value="{get_token(request)}"'.encode()
                return HttpResponse(body.replace(CSRF_PLACEHOLDER, token), status=status, content_type=content_type)
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not response.streaming and not response.cookies:
                body = CSRF_FIELD.sub(CSRF_PLACEHOLDER, response.content)
                try:
                    cache.set(key, (200, response["Content-Type"], body), settings.PAGE_CACHE_SECONDS)
                except RedisError:
                    logger.warning("page cache unavailable; %s not stored", request.path)
            return response

        return wrapper

    return decorator
