"""Who is signing in, and from where: the lockout and the audit log must not be fooled."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def normalise_email(value: str) -> str:
    """Email addresses are stored and compared in lower case, without surrounding spaces."""
    return value.strip().lower()


def axes_username(request: HttpRequest, credentials: Mapping[str, str] | None) -> str:
    """The name django-axes counts failures against: the email as it is stored, so typing it in
    another case is not a fresh set of attempts."""
    source = credentials or request.POST
    return normalise_email(str(source.get(settings.AXES_USERNAME_FORM_FIELD) or ""))


class ClientAddressMiddleware:
    """Sets REMOTE_ADDR to the visitor's address as the trusted proxies in front of the site
    recorded it, and drops X-Forwarded-For so nothing after this (the lockout, the audit log)
    can read an address the visitor wrote themselves.

    With TRUSTED_PROXY_COUNT = n, the n-th address from the right of X-Forwarded-For is the
    one the outermost trusted proxy saw. With 0 (no proxy), the header is ignored.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.trusted = settings.TRUSTED_PROXY_COUNT

    def __call__(self, request: HttpRequest) -> HttpResponse:
        forwarded = request.META.pop("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if self.trusted and len(hops) >= self.trusted:
            request.META["REMOTE_ADDR"] = hops[-self.trusted]
        # What is not an address (a unix socket's empty one, a proxy's garbage) is no address:
        # the audit log stores none rather than fail to store it (PostgreSQL checks addresses).
        try:
            ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
        except ValueError:
            request.META.pop("REMOTE_ADDR", None)
        return self.get_response(request)
