"""The client's address behind proxies we run.

Rate limits, the login lockout and the audit log all read REMOTE_ADDR. Behind a proxy that is the
proxy's address for every visitor, so `ClientAddressMiddleware` replaces it with the client's address
taken from X-Forwarded-For, but only when the request came from a proxy listed in TRUSTED_PROXIES
(addresses or networks). The header is read from the right, skipping our own proxies: everything left
of the first address we do not run was written by the client and could be forged.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address | None, proxies: list[Network]) -> bool:
    return address is not None and any(address in network for network in proxies)


def client_address(remote_addr: str, forwarded_for: str, proxies: list[Network]) -> str:
    if not forwarded_for or not _trusted(_address(remote_addr), proxies):
        return remote_addr
    for hop in reversed(forwarded_for.split(",")):
        address = _address(hop)
        if address is None:
            break
        if not _trusted(address, proxies):
            return str(address)
    # Only our own proxies, or a malformed hop: the last proxy is the best address we know.
    return remote_addr


class ClientAddressMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.proxies = [ipaddress.ip_network(proxy, strict=False) for proxy in settings.TRUSTED_PROXIES]

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.proxies:
            request.META["REMOTE_ADDR"] = client_address(
                request.META.get("REMOTE_ADDR", ""), request.META.get("HTTP_X_FORWARDED_FOR", ""), self.proxies
            )
        return self.get_response(request)
