"""One-time links: an invitation to set a first password lasts longer than a reset link."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Like Django's reset tokens (used once: setting a password changes what they sign), but
    signed with a salt of their own and valid for INVITATION_TIMEOUT rather than
    PASSWORD_RESET_TIMEOUT, so a reset link cannot pass for an invitation or the reverse."""

    key_salt = "hscb.lib.tokens.InvitationTokenGenerator"

    def check_token(self, user, token) -> bool:
        if not (user and token):
            return False
        try:
            timestamp = base36_to_int(token.split("-")[0])
        except ValueError:
            return False
        if self._num_seconds(self._now()) - timestamp > settings.INVITATION_TIMEOUT:
            return False
        return any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        )


invitation_token_generator = InvitationTokenGenerator()


def lifetime_in_words(seconds: int) -> str:
    """ "3 days", "2 hours", "30 minutes": how long a link lasts, for pages and emails."""
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return f"{seconds} seconds"
