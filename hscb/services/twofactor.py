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
)
from hscb.models import User

BACKUP_CODE_COUNT = 10
CODE_PATTERN = re.compile(r"^[0-9]{6}$")
BACKUP_CODE_PATTERN = re.compile(r"^[a-z2-7]{8}$")


def clean_code(value: str) -> str:
    """A code as typed from an app: spaces and dashes between the digits are left out."""
    return re.sub(r"[\s-]", "", value or "")


def clean_backup_code(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "").lower()


def second_factor_setup_start(*, user: User) -> TOTPDevice:
    """The authenticator app being set up: an unconfirmed device with a new secret key. Asking
    again gives the same one until it is confirmed, so reloading the page keeps the QR code."""
    device = app_device(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def second_factor_confirm(*, user: User, device: TOTPDevice, code: str) -> list[str]:
    """Confirm the app being set up with one code it shows, make it the person's only app and
    give them new backup codes (returned, to show once). Refuses a wrong code."""
    if device.user_id != user.pk or device.confirmed:
        raise PermissionDenied("That is not the app being set up.")
    code = clean_code(code)
    if not CODE_PATTERN.match(code):
        raise ValidationError({"code": "Enter the 6-digit code from your authenticator app"})
    verified = django_otp.verify_token(user, device.persistent_id, code)
    if verified is None:
        raise ValidationError(
            {
                "code": "The code is not right. Check the app shows this service, then enter "
                "the code it shows now"
            }
        )
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
    return _new_backup_codes(user)


def _new_backup_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    backup = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
    codes: set[str] = set()
    while len(codes) < BACKUP_CODE_COUNT:
        codes.add(StaticToken.random_token())
    StaticToken.objects.bulk_create(StaticToken(device=backup, token=c) for c in sorted(codes))
    return sorted(codes)


@transaction.atomic
def backup_codes_renew(*, user: User) -> list[str]:
    """New backup codes for someone with an app; the old ones stop working."""
    if app_device(user) is None:
        raise ValidationError("Set up an authenticator app before getting backup codes.")
    return _new_backup_codes(user)


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
    code = clean_backup_code(code)
    device = StaticDevice.objects.filter(user=user, name=BACKUP_DEVICE_NAME).first()
    if device is None or app_device(user) is None or not BACKUP_CODE_PATTERN.match(code):
        return None
    return django_otp.verify_token(user, device.persistent_id, code)


@transaction.atomic
def second_factor_turn_off(*, user: User) -> None:
    """Someone who chose a second factor may stop using it; someone who must have one cannot."""
    if second_factor_required(user):
        raise ValidationError("You must sign in with a second factor: it cannot be turned off.")
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def second_factor_reset(*, user: User, by: User) -> None:
    """The secretariat takes away a person's app and backup codes (a lost or changed phone). The
    person sets up an app again at their next sign-in; their sessions end now, since the hash
    that keeps a session signed in includes the reset's time. The reset is in the person's
    history (who and when) and they are emailed about it."""
    from hscb.tasks import send_second_factor_reset_notice

    if user.is_superuser and not by.is_superuser:
        raise PermissionDenied("Only a superuser can reset a superuser's second factor.")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
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
