"""Print the code a demonstration account's authenticator app would show now."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from hscb.demo import demo_code


class Command(BaseCommand):
    help = (
        "Print the current sign-in code of a demonstration account that signs in with an "
        "authenticator app (see `manage.py load_demo`). Refuses to run with DEBUG off."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("email", help="The demonstration account's email address.")

    def handle(self, *args, email: str, **options) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "Sign-in codes are given out only for a local demonstration, and DEBUG is off: "
                "nothing was printed."
            )
        try:
            code, seconds = demo_code(email=email)
        except LookupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{code}  (changes in {seconds} seconds; each code works once)")
