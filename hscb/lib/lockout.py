"""Sign-in lockout, on top of django-axes.

Three rules, each counting the failed attempts (a wrong password, or a wrong code from the
authenticator app or a wrong backup code) made within AXES_COOLOFF_HOURS:

- one account from one address: AXES_FAILURE_LIMIT failures lock that pair for the cool-off
  (django-axes's own rule). One person mistyping cannot lock out an office behind one address.
- one address, whatever the accounts (password spraying): SIGN_IN_ADDRESS_FAILURE_LIMIT
  failures lock the address for the cool-off.
- one account, whatever the addresses: after SIGN_IN_ACCOUNT_FAILURE_LIMIT failures the account
  is slowed down: each further attempt from a browser it does not know waits
  SIGN_IN_ACCOUNT_WAIT_MINUTES after the last failure, so an attacker with many addresses gets
  one guess per wait. A browser that has signed in to the account before, or followed its reset
  link, carries a signed "known device" cookie for it and is not slowed (OWASP's device
  cookies): whatever an attacker does, the owner still gets in from their own browser, or from
  a new one through the reset link, which also clears the account's failures.

An IPv6 address counts by its /64 network, as one connection is given a whole /64.

Refused attempts are not recorded (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT is off), so
hammering a locked door does not extend the lock.
"""

from __future__ import annotations

import datetime
import ipaddress
from enum import StrEnum

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from hscb.lib.ratelimit import UNKNOWN_CLIENT, client_key


class Refusal(StrEnum):
    PAIR = "pair"
    ADDRESS = "address"
    ACCOUNT = "account"


def _failures(attempts) -> tuple[int, datetime.datetime | None]:
    totals = attempts.aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
    return totals["failures"] or 0, totals["last"]


def address_failures(request: HttpRequest) -> int:
    """Failures from the request's address, for any account, within the cool-off."""
    address = getattr(request, "axes_ip_address", None)
    if not address:
        return 0
    recent = AccessAttempt.objects.filter(
        ip_address=address, attempt_time__gte=get_cool_off_threshold(request)
    )
    return _failures(recent)[0]


KNOWN_DEVICE_COOKIE = "known_device"
KNOWN_DEVICE_SALT = "hscb.lockout.known_device"
KNOWN_DEVICE_DAYS = 365
KNOWN_DEVICE_ACCOUNTS = 5  # a shared computer may know a few people's accounts


def known_accounts(request: HttpRequest) -> list[str]:
    """The accounts this browser has signed in to (or reset the password of), from its signed
    cookie: a cookie forged or tampered with counts for none."""
    value = request.get_signed_cookie(
        KNOWN_DEVICE_COOKIE,
        default="",
        salt=KNOWN_DEVICE_SALT,
        max_age=datetime.timedelta(days=KNOWN_DEVICE_DAYS),
    )
    return value.split() if value else []


def remember_device(request: HttpRequest, response: HttpResponse, username: str) -> None:
    """Mark this browser as one the account's owner uses (after a whole sign-in, or a password
    chosen through the reset link)."""
    accounts = [username, *(a for a in known_accounts(request) if a != username)]
    response.set_signed_cookie(
        KNOWN_DEVICE_COOKIE,
        " ".join(accounts[:KNOWN_DEVICE_ACCOUNTS]),
        salt=KNOWN_DEVICE_SALT,
        max_age=KNOWN_DEVICE_DAYS * 24 * 60 * 60,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def client_address(request: HttpRequest) -> str | None:
    """The address failures are counted by (AXES_CLIENT_IP_CALLABLE): the public form's rate
    limit's key (`hscb.lib.ratelimit.client_key`), an IPv6 network written as its first
    address, as the attempts' address column holds an address; None when there is none."""
    key = client_key(request.META.get("REMOTE_ADDR"))
    if key == UNKNOWN_CLIENT:
        return None
    return str(ipaddress.ip_network(key).network_address)


def account_wait(request: HttpRequest, username: str | None) -> datetime.timedelta | None:
    """How long an account that many addresses have failed to sign in to must still wait before
    the next attempt from this browser, or None when it need not."""
    if not username or username in known_accounts(request):
        return None
    recent = AccessAttempt.objects.filter(
        username=username, attempt_time__gte=get_cool_off_threshold(request)
    )
    failures, last = _failures(recent)
    if failures < settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT or last is None:
        return None
    wait_until = last + datetime.timedelta(minutes=settings.SIGN_IN_ACCOUNT_WAIT_MINUTES)
    now = getattr(request, "axes_attempt_time", None) or timezone.now()
    return wait_until - now if wait_until > now else None


class BoardAxesHandler(AxesDatabaseHandler):
    """django-axes's database handler with the address and account rules added."""

    def refusal(self, request: HttpRequest, credentials: dict | None) -> Refusal | None:
        """Why an attempt with these credentials from this request is refused, if it is."""
        if super().is_locked(request, credentials):
            return Refusal.PAIR
        if address_failures(request) >= settings.SIGN_IN_ADDRESS_FAILURE_LIMIT:
            return Refusal.ADDRESS
        if account_wait(request, get_client_username(request, credentials)) is not None:
            return Refusal.ACCOUNT
        return None

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        request.lockout_refusal = self.refusal(request, credentials)
        return request.lockout_refusal is not None

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs) -> None:
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None:
            return
        if getattr(request, "axes_locked_out", False):
            request.lockout_refusal = getattr(request, "lockout_refusal", None) or Refusal.PAIR
            return
        reason = self.refusal(request, credentials)
        if reason is not None:
            request.lockout_refusal = reason
            request.axes_locked_out = True
            request.axes_credentials = credentials


def is_refused(request: HttpRequest, username: str) -> bool:
    """Whether a sign-in step (the code after the password) must be refused now. Sets what the
    lockout page needs to say why."""
    allowed = AxesProxyHandler.is_allowed(request, {settings.AXES_USERNAME_FORM_FIELD: username})
    if not allowed:
        request.axes_locked_out = True
    return not allowed


def record_failure(request: HttpRequest, username: str, *, sender: str) -> bool:
    """Count a wrong code like a wrong password. Returns True when this failure locks the
    account (or address) out."""
    user_login_failed.send(
        sender=sender,
        credentials={settings.AXES_USERNAME_FORM_FIELD: username},
        request=request,
    )
    return bool(getattr(request, "axes_locked_out", False))


def clear_pair(request: HttpRequest, username: str) -> None:
    """A complete sign-in (password and, where needed, code) clears the failures of that account
    from that address; the address's and the account's other failures still count."""
    AxesProxyHandler.update_request(request)
    AxesProxyHandler.reset_attempts(ip_address=request.axes_ip_address, username=username)


def clear_account(username: str) -> int:
    """Choosing a new password through a reset link clears the account's failures from every
    address: the reset link is how an owner gets past an attacker slowing their account."""
    return AxesProxyHandler.reset_attempts(username=username)


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """The page shown to a refused attempt, saying which rule refused it and for how long."""
    reason = getattr(request, "lockout_refusal", None) or Refusal.PAIR
    username = get_client_username(request, credentials)
    wait = account_wait(request, username) if reason == Refusal.ACCOUNT else None
    minutes = (
        max(1, -(-int(wait.total_seconds()) // 60))
        if wait is not None
        else round(settings.AXES_COOLOFF_TIME * 60)
    )
    context = {"reason": str(reason), "minutes": minutes}
    return render(request, "registration/locked_out.html", context, status=429)
