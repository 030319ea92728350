"""Second factors: setting up an authenticator app, backup codes, using them, and the
secretariat's reset. Each write goes through a function here."""

from __future__ import annotations

import re

import django_otp
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from hscb.lib.checks import queue_after_commit
from hscb.lib.email import send_templated_email
from hscb.lib.twofactor import (
    APP_DEVICE_NAME,
    BACKUP_DEVICE_NAME,
    app_device,
    second_factor_required,
    second_factor_summary,
)
from hscb.models import User

BACKUP_CODE_COUNT = 10
CODE_PATTERN = re.compile(r"^[0-9]{6}$")
BACKUP_CODE_PATTERN = re.compile(r"^[a-z2-7]{8}$")


WRONG_CURRENT_CODE = (
    "The code is not right, or has been used. Enter the code your current app shows now, or "
    "one of your backup codes"
)


def clean_code(value: str, *, backup: bool = False) -> str:
    """A code as typed: spaces and dashes between its characters are left out; a backup code's
    letters are compared in lower case."""
    code = re.sub(r"[\s-]", "", value or "")
    return code.lower() if backup else code


def second_factor_setup_start(*, user: User) -> TOTPDevice:
    """The authenticator app being set up: an unconfirmed device with a new secret key. Asking
    again gives the same one until it is confirmed, so reloading the page keeps the QR code."""
    device = app_device(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def _check_current_code(user: User, current_code: str) -> None:
    """A change to a second factor that works needs a code from it (the app's, or a backup
    code): a session left open at a desk is not enough to take someone's second factor."""
    if (
        second_factor_verify(user=user, code=current_code) is None
        and backup_code_use(user=user, code=current_code) is None
    ):
        raise ValidationError({"current_code": WRONG_CURRENT_CODE})


@transaction.atomic
def second_factor_confirm(
    *, user: User, device: TOTPDevice, code: str, current_code: str = ""
) -> list[str]:
    """Confirm the app being set up with one code it shows, make it the person's only app and
    give them new backup codes (returned, to show once). Replacing an app that works needs a
    code from it too. The person is emailed that their second factor changed."""
    if device.user_id != user.pk or device.confirmed:
        raise PermissionDenied("That is not the app being set up.")
    if app_device(user) is not None:
        _check_current_code(user, current_code)
    code = clean_code(code)
    if not CODE_PATTERN.match(code):
        raise ValidationError({"code": "Enter the 6-digit code from your authenticator app"})
    if django_otp.verify_token(user, device.persistent_id, code) is None:
        raise ValidationError(
            {
                "code": "The code is not right. Check the app shows this service, then enter "
                "the code it shows now"
            }
        )
    for old in TOTPDevice.objects.filter(user=user).exclude(pk=device.pk):
        old.delete()  # one by one, so each is in the history
    device.refresh_from_db()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_backup_codes(user)
    _tell_of_change(user)
    return codes


def _new_backup_codes(user: User) -> list[str]:
    for old in StaticDevice.objects.filter(user=user):
        old.delete()
    backup = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
    codes: set[str] = set()
    while len(codes) < BACKUP_CODE_COUNT:
        codes.add(StaticToken.random_token())
    StaticToken.objects.bulk_create(StaticToken(device=backup, token=c) for c in sorted(codes))
    return sorted(codes)


def _tell_of_change(user: User) -> None:
    from hscb.tasks import send_second_factor_changed_notice

    queue_after_commit(send_second_factor_changed_notice, user.pk)


@transaction.atomic
def backup_codes_renew(*, user: User, current_code: str) -> list[str]:
    """New backup codes for someone with an app, given a code from it (or a backup code); the old
    ones stop working."""
    if app_device(user) is None:
        raise ValidationError("Set up an authenticator app before getting backup codes.")
    _check_current_code(user, current_code)
    codes = _new_backup_codes(user)
    _tell_of_change(user)
    return codes


def second_factor_verify(*, user: User, code: str) -> Device | None:
    """The app that accepts this code, or None. A code is accepted once: the same code again, or
    an older one, is refused."""
    code = clean_code(code)
    device = app_device(user)
    if device is None or not CODE_PATTERN.match(code):
        return None
    return django_otp.verify_token(user, device.persistent_id, code)


def backup_code_use(*, user: User, code: str) -> Device | None:
    """The backup codes' device when this is one of the person's unused codes (which is then
    used up), or None."""
    code = clean_code(code, backup=True)
    device = StaticDevice.objects.filter(user=user, name=BACKUP_DEVICE_NAME).first()
    if device is None or app_device(user) is None or not BACKUP_CODE_PATTERN.match(code):
        return None
    return django_otp.verify_token(user, device.persistent_id, code)


def second_factor_may_turn_off(user: User) -> bool:
    """Someone who chose a second factor may stop using it; someone who must have one cannot."""
    return app_device(user) is not None and not second_factor_required(user)


@transaction.atomic
def second_factor_turn_off(*, user: User, current_code: str) -> None:
    if not second_factor_may_turn_off(user):
        raise ValidationError("You must sign in with a second factor: it cannot be turned off.")
    _check_current_code(user, current_code)
    for device in [*TOTPDevice.objects.filter(user=user), *StaticDevice.objects.filter(user=user)]:
        device.delete()
    _tell_of_change(user)


def second_factor_changed_notice_send(*, user_pk: int) -> bool:
    """Email the person, at their address in the database, that their second factor changed and
    how it stands now: someone else changing it does not go unnoticed."""
    user = User.objects.filter(pk=user_pk, is_active=True).first()
    if user is None:
        return False
    send_templated_email(
        "second_factor_changed",
        to=[user.email],
        context={"user": user, "now": second_factor_summary(user)},
    )
    return True


def second_factor_reset(*, user: User, by: User) -> None:
    """The secretariat takes away a person's app and backup codes (a lost or changed phone). The
    person sets up an app again at their next sign-in; their sessions end now, since the hash
    that keeps a session signed in includes the reset's time. The reset is in the person's
    history (who and when) and they are emailed about it."""
    from hscb.tasks import send_second_factor_reset_notice

    if user.is_superuser and not by.is_superuser:
        raise PermissionDenied("Only a superuser can reset a superuser's second factor.")
    with transaction.atomic():
        for device in [
            *TOTPDevice.objects.filter(user=user),
            *StaticDevice.objects.filter(user=user),
        ]:
            device.delete()
        user.second_factor_reset_at = timezone.now()
        user.save(update_fields=["second_factor_reset_at"])
        queue_after_commit(send_second_factor_reset_notice, user.pk)


def second_factor_reset_notice_send(*, user_pk: int) -> bool:
    """Email the person that their second factor was reset, at the address in the database."""
    user = User.objects.filter(pk=user_pk, is_active=True).first()
    if user is None or user.second_factor_reset_at is None:
        return False
    send_templated_email(
        "second_factor_reset",
        to=[user.email],
        context={"user": user, "sign_in_url": settings.SITE_URL + reverse("login")},
    )
    return True
