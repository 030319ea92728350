"""Two-factor sign-in (django-otp: an authenticator app's time-based codes, and backup codes).

Who must use a second factor (DESIGN.md §9): the secretariat and every staff account, the board
chair, and anyone with a seat on a group that handles children's records (the Case Review
subgroup, the Child Death Overview Panel). Anyone else may turn it on.

After the password, the session is signed in but not yet verified. `SecondFactorMiddleware`
keeps every page but the second-factor pages and signing out closed to such a session: it
goes to "enter your code" when the person has an authenticator app set up, or to setting one
up when they must have one and have not. A verified session carries the device that verified
it (django-otp's OTPMiddleware reads it on each request, so a device removed by a reset stops
the session's access at once).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from hscb.rules import roles_of

# Set at sign-in when the person has to give a code (or set up an app) before anything opens.
PENDING_KEY = "second_factor_pending"
# When the session was last used, and when its password was given, in whole seconds since the
# epoch (see hscb.lib.sessions).
LAST_SEEN_KEY = "last_seen"
SIGNED_IN_AT_KEY = "signed_in_at"

APP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"

# Pages a signed-in but unverified session may open: the second-factor steps themselves,
# signing out, and the session's own timer.
OPEN_TO_UNVERIFIED = frozenset(
    {
        "two_factor_verify",
        "two_factor_backup",
        "two_factor_setup",
        "two_factor_backup_codes",
        "logout",
        "session_status",
    }
)


def second_factor_required(user) -> bool:
    """Whether this person must sign in with a second factor."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff or user.is_superuser:
        return True
    roles = roles_of(user)
    return roles.is_secretariat or roles.is_board_chair or roles.handles_child_records


def app_device(user, *, confirmed: bool = True) -> TOTPDevice | None:
    """The person's authenticator app (confirmed, or the one being set up)."""
    return (
        TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("-pk").first()
        if user.pk
        else None
    )


def has_second_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def backup_codes_left(user) -> int:
    device = StaticDevice.objects.filter(user=user, name=BACKUP_DEVICE_NAME).first()
    return device.token_set.count() if device else 0


def second_factor_summary(user) -> dict[str, object]:
    """What "Your account" says about signing in."""
    device = app_device(user)
    return {
        "has_app": device is not None,
        "app_added": device.created_at if device is not None else None,
        "backup_codes_left": backup_codes_left(user) if device is not None else 0,
        "required": second_factor_required(user),
    }


def first_step(user) -> str | None:
    """The second-factor step to take after the password: the code, for someone with an app;
    setting one up, for someone who must have one; or None."""
    if has_second_factor(user):
        return "two_factor_verify"
    return "two_factor_setup" if second_factor_required(user) else None


def next_step(request: HttpRequest) -> str | None:
    """The URL name of the second-factor step this session must take before anything else, or
    None when it may go on."""
    user = request.user
    if not user.is_authenticated or user.is_verified():
        return None
    if request.session.get(PENDING_KEY) or second_factor_required(user):
        return "two_factor_verify" if has_second_factor(user) else "two_factor_setup"
    return None


def start_session(session) -> None:
    """The password has just been given: the session's clocks start."""
    now = int(time.time())
    session[SIGNED_IN_AT_KEY] = now
    session[LAST_SEEN_KEY] = now


def mark_signed_in(session, *, device=None) -> None:
    """What a completed sign-in leaves in the session: the device that verified it (if any) and
    the time it was last used. Used by the sign-in pages and by the benchmark's clients."""
    session.pop(PENDING_KEY, None)
    if device is not None:
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.setdefault(SIGNED_IN_AT_KEY, int(time.time()))
    session[LAST_SEEN_KEY] = int(time.time())


def app_set_up_without_phone(user) -> TOTPDevice:
    """The person's authenticator app, set up here with a key kept in the database if they have
    none: for the demonstration's accounts, the benchmark's and the tests' made-up people only."""
    return app_device(user) or TOTPDevice.objects.create(
        user=user, name=APP_DEVICE_NAME, confirmed=True
    )


def complete_forced_sign_in(session, user) -> None:
    """After the test client's `force_login` (the benchmark, the tests), leave the session as a
    whole sign-in does: the second factor given by someone who must have one, their app set up
    here if they have none (on a database of made-up people)."""
    user.__dict__.pop("_board_roles", None)  # their seats may have changed since last asked
    device = app_set_up_without_phone(user) if second_factor_required(user) else None
    mark_signed_in(session, device=device)
    session.save()


class SecondFactorMiddleware:
    """Holds every page (the administration included) closed to a session that still owes its
    second factor, sending it to the step it owes and back to the page it asked for after."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if not getattr(view_func, "login_required", True):
            return None  # public pages, like the sign-in page and the public death notification
        step = next_step(request)
        request.second_factor_step = step
        if step is None:
            return None
        match = request.resolver_match
        if match is not None and match.url_name in OPEN_TO_UNVERIFIED and not match.namespace:
            return None
        return redirect_to_login(request.get_full_path(), login_url=reverse(step))
