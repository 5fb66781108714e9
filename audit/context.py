"""The address of the request being served, for audit entries written deep inside services."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

_address: ContextVar[str | None] = ContextVar("audit_address", default=None)


def current_address() -> str | None:
    return _address.get()


class RequestAddressMiddleware:
    """Remember the client's address while the request is served, so services need no request argument.

    The address is REMOTE_ADDR, the same one the rate limits and login lockout use; behind proxies listed
    in TRUSTED_PROXIES, config.proxy has already replaced it with the client's.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _address.set(request.META.get("REMOTE_ADDR") or None)
        try:
            return self.get_response(request)
        finally:
            _address.reset(token)
