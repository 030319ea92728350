"""django-otp's own admin pages show each person's secret key as a QR code and their backup
codes: with them anyone could sign in as that person. They are taken away. The secretariat
resets a person's second factor from the people list (the action "Reset two-factor sign-in"),
and sees whether it is on on the person's page."""

from __future__ import annotations

from django.contrib import admin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
