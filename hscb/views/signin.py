"""Signing in: the password page, the second factor after it, setting up an authenticator app
and backup codes, and the session's timer."""

from __future__ import annotations

from base64 import b32encode
from collections.abc import Callable

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import LoginView, PasswordResetConfirmView
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login

from hscb.forms.board import SignInForm
from hscb.forms.twofactor import AppCodeForm, BackupCodeForm, CurrentCodeForm
from hscb.lib import lockout
from hscb.lib.sessions import seconds_left, touch
from hscb.lib.twofactor import (
    PENDING_KEY,
    first_step,
    has_second_factor,
    mark_signed_in,
    next_step,
    second_factor_required,
    start_session,
)
from hscb.services import twofactor as services

# New backup codes wait in the session for the one page that shows them.
CODES_TO_SHOW_KEY = "backup_codes_to_show"


def _next_url(request: HttpRequest) -> str:
    """Where to go once signed in: the page asked for, if it is on this site."""
    candidate = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({REDIRECT_FIELD_NAME: next_url})}"


class SignInView(LoginView):
    """The password, then the second factor for those who have one or must."""

    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form) -> HttpResponse:
        user = form.get_user()
        next_url = self.get_success_url()
        auth_login(self.request, user)
        start_session(self.request.session)
        step = first_step(user)
        if step is not None:
            self.request.session[PENDING_KEY] = True
            return HttpResponseRedirect(_with_next(step, next_url))
        return _signed_in(self.request, HttpResponseRedirect(next_url))


class ChooseNewPasswordView(PasswordResetConfirmView):
    """A reset link's new password also clears the account's failed sign-ins from every address,
    and marks this browser as the owner's: the way in for an owner whose account an attacker is
    slowing down."""

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        lockout.clear_account(form.user.email)
        lockout.remember_device(self.request, response, form.user.email)
        return response


def _signed_in(request: HttpRequest, response: HttpResponse, *, device=None) -> HttpResponse:
    """The whole sign-in is done: the session records it, the failures of this account from
    this address are cleared, and the browser is known to the account from now on."""
    if device is not None:
        otp_login(request, device)
        # A new session key once the second factor is given, as at the password.
        request.session.cycle_key()
    mark_signed_in(request.session, device=device)
    lockout.clear_pair(request, request.user.email)
    lockout.remember_device(request, response, request.user.email)
    return response


def _refuse(request: HttpRequest, email: str) -> HttpResponse:
    logout(request)
    credentials = {settings.AXES_USERNAME_FORM_FIELD: email}
    return lockout.lockout_response(request, None, credentials)


def _code_step(request: HttpRequest, *, backup: bool) -> HttpResponse:
    user = request.user
    step = next_step(request)
    if step is None:  # nothing owed: signed in fully, or no second factor to give
        return redirect(_next_url(request))
    if step != "two_factor_verify":
        return redirect(_with_next(step, _next_url(request)))
    email = user.email
    if lockout.is_refused(request, email):
        return _refuse(request, email)
    form_class = BackupCodeForm if backup else AppCodeForm
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        device = None
        if form.is_valid():
            code = form.cleaned_data["code"]
            device = (
                services.backup_code_use(user=user, code=code)
                if backup
                else services.second_factor_verify(user=user, code=code)
            )
            if device is None:
                form.add_error(
                    "code",
                    "That backup code is not right, or has been used. Check it and try again"
                    if backup
                    else "The code is not right, or has been used. Enter the code the app "
                    "shows now",
                )
        if device is not None:
            return _signed_in(request, redirect(_next_url(request)), device=device)
        if lockout.record_failure(request, email, sender=__name__):
            return _refuse(request, email)
    return render(
        request,
        "registration/two_factor_backup.html" if backup else "registration/two_factor_verify.html",
        {"form": form, "next": _next_url(request)},
    )


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    return _code_step(request, backup=False)


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def two_factor_backup(request: HttpRequest) -> HttpResponse:
    return _code_step(request, backup=True)


def _qr_code(device) -> tuple[str, str]:
    """The app's QR code, as an SVG data address made here on the server, and its key written
    out in groups of four for typing."""
    key = b32encode(device.bin_key).decode("ascii").rstrip("=")
    qr = segno.make(device.config_url, error="m")
    return qr.svg_data_uri(scale=5, border=4), " ".join(
        key[i : i + 4] for i in range(0, len(key), 4)
    )


def _failed_current_code(request: HttpRequest, form, error: ValidationError):
    """A wrong code from the current second factor counts towards the lockout, like one at
    sign-in: someone at an unattended desk cannot guess their way to another's second factor.
    Returns the lockout page once it locks, or None after putting the error on the form."""
    form.add_service_errors(error)
    if "current_code" in error.message_dict and lockout.record_failure(
        request, request.user.email, sender=__name__
    ):
        return _refuse(request, request.user.email)
    return None


@never_cache
@sensitive_post_parameters("code", "current_code")
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: after the password for someone who must have one, or from
    "Your account". Replacing an app that works needs a code from it (or a backup code)."""
    user = request.user
    if next_step(request) == "two_factor_verify":
        return redirect(_with_next("two_factor_verify", _next_url(request)))
    if lockout.is_refused(request, user.email):
        return _refuse(request, user.email)
    replacing = has_second_factor(user)
    device = services.second_factor_setup_start(user=user)
    form = AppCodeForm(request.POST if request.method == "POST" else None, replacing=replacing)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.second_factor_confirm(
                user=user,
                device=device,
                code=form.cleaned_data["code"],
                current_code=form.cleaned_data.get("current_code", ""),
            )
        except ValidationError as error:
            refused = _failed_current_code(request, form, error)
            if refused is not None:
                return refused
        else:
            device.refresh_from_db()
            request.session[CODES_TO_SHOW_KEY] = codes
            done = redirect(_with_next("two_factor_backup_codes", _next_url(request)))
            return _signed_in(request, done, device=device)
    qr, key = _qr_code(device)
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "qr": qr,
            "key": key,
            "replacing": replacing,
            "required": second_factor_required(user),
            "next": _next_url(request),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_backup_codes(request: HttpRequest) -> HttpResponse:
    """New backup codes, shown once: the page does not show them again."""
    next_url = _next_url(request)
    if request.method == "POST":
        return redirect(next_url)
    codes = request.session.pop(CODES_TO_SHOW_KEY, None)
    if not codes:
        messages.info(
            request,
            "Backup codes are shown only once. If you did not save them, get new ones here.",
        )
        return redirect("account")
    return render(
        request,
        "registration/two_factor_backup_codes.html",
        {"codes": codes, "next": next_url},
    )


def _change_with_current_code(
    request: HttpRequest,
    *,
    submit_label: str,
    template: str,
    change: Callable[[str], HttpResponse],
) -> HttpResponse:
    """A page that changes the person's second factor once they give a code from it: `change`
    makes the change with that code (through a service) and answers; a wrong code is said on
    the form and counts towards the lockout."""
    email = request.user.email
    if lockout.is_refused(request, email):
        return _refuse(request, email)
    form = CurrentCodeForm(
        request.POST if request.method == "POST" else None, submit_label=submit_label
    )
    if request.method == "POST" and form.is_valid():
        try:
            return change(form.cleaned_data["current_code"])
        except ValidationError as error:
            refused = _failed_current_code(request, form, error)
            if refused is not None:
                return refused
    return render(request, template, {"form": form})


@never_cache
@sensitive_post_parameters("current_code")
@require_http_methods(["GET", "POST"])
def two_factor_new_backup_codes(request: HttpRequest) -> HttpResponse:
    if not has_second_factor(request.user):
        return redirect("account")

    def renew(current_code: str) -> HttpResponse:
        codes = services.backup_codes_renew(user=request.user, current_code=current_code)
        request.session[CODES_TO_SHOW_KEY] = codes
        return redirect(_with_next("two_factor_backup_codes", reverse("account")))

    return _change_with_current_code(
        request,
        submit_label="Get new backup codes",
        template="registration/two_factor_new_backup_codes.html",
        change=renew,
    )


@never_cache
@sensitive_post_parameters("current_code")
@require_http_methods(["GET", "POST"])
def two_factor_turn_off(request: HttpRequest) -> HttpResponse:
    if not services.second_factor_may_turn_off(request.user):
        return redirect("account")

    def turn_off(current_code: str) -> HttpResponse:
        services.second_factor_turn_off(user=request.user, current_code=current_code)
        messages.success(request, "Two-factor sign-in is off. You sign in with your password.")
        return redirect("account")

    return _change_with_current_code(
        request,
        submit_label="Turn off two-factor sign-in",
        template="registration/two_factor_turn_off.html",
        change=turn_off,
    )


# The session's timer, for the warning before an idle session ends -------------------------------


@login_not_required
@never_cache
@require_GET
def session_status(request: HttpRequest) -> JsonResponse:
    """Seconds left before the session ends if unused. Asking does not count as using it. A
    page left open after signing out in another tab is told so."""
    if not request.user.is_authenticated:
        return JsonResponse({"signed_in": False, "seconds_left": 0})
    return JsonResponse({"signed_in": True, "seconds_left": seconds_left(request.session)})


@never_cache
@require_POST
def session_extend(request: HttpRequest) -> HttpResponse:
    """ "Stay signed in": counts as using the session."""
    touch(request.session)
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"signed_in": True, "seconds_left": seconds_left(request.session)})
    return redirect(_next_url(request))
