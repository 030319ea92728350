"""The test client the suite uses: Django's, whose `force_login` leaves the session as a whole
sign-in through the pages does (the password, then the second factor for those who must have
one), so tests of pages need not go through the sign-in steps each time.

Tests of the sign-in steps themselves post to the sign-in pages instead.
"""

from __future__ import annotations

import time

from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from hscb.lib.twofactor import app_set_up_without_phone, complete_forced_sign_in


def app_for(user) -> TOTPDevice:
    """The person's authenticator app, set up now if they have none."""
    return app_set_up_without_phone(user)


class BoardClient(Client):
    def _login(self, user, backend=None) -> None:
        super()._login(user, backend)
        complete_forced_sign_in(self.session, user)


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code the person's authenticator app shows now (or that many 30-second steps on)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"
