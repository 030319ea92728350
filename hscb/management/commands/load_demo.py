"""Load demonstration agencies, people and memberships for trying the system locally."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from hscb.demo import BoardNotLoaded, demo_load, demo_set_password


class Command(BaseCommand):
    help = (
        "Create demonstration agencies, one account for each role, the groups' members, and "
        "the board's business: a business plan, meetings and actions. "
        "Running it again creates nothing twice. Refuses to run with DEBUG off."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--password",
            help="Password for new demonstration accounts (default: a random one, printed once).",
        )
        parser.add_argument(
            "--reset-password",
            action="store_true",
            help="Give every demonstration account a new password and print it.",
        )

    def handle(self, *args, password: str | None, reset_password: bool, **options) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "Demonstration data is for a local copy only, and DEBUG is off: nothing was done."
            )
        password = password or secrets.token_urlsafe(9)
        if reset_password:
            count = demo_set_password(password=password)
            self.stdout.write(f"New password for {count} demonstration accounts: {password}")
            return
        try:
            report = demo_load(password=password)
        except BoardNotLoaded as error:
            raise CommandError(f"{error} Run `manage.py load_board` first.") from error

        parts = [
            f"{report.created_priorities} business plan priorities",
            f"{report.created_meetings} meetings",
            f"{report.created_actions} actions",
            *report.created_by_apps,
        ]
        business = ", ".join(parts[:-1]) + " and " + parts[-1]
        if not report.created_users:
            if (
                report.created_priorities
                or report.created_meetings
                or report.created_actions
                or report.created_by_apps
            ):
                self.stdout.write(self.style.SUCCESS(f"Demonstration business added: {business}."))
            self.stdout.write(
                "The demonstration accounts were already there. Their password was printed when "
                "they were made (`manage.py load_demo --reset-password` sets a new one)."
            )
            self._second_factor_help(report.second_factor_users)
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Demonstration data loaded: {report.created_agencies} agencies, "
                f"{len(report.created_users)} people, {report.created_memberships} memberships, "
                f"{business}."
            )
        )
        self.stdout.write("\nSign in at http://127.0.0.1:8000 as any of these (one per role):\n")
        width = max(len(role) for role in report.role_users)
        for role, email in report.role_users.items():
            self.stdout.write(f"  {role:<{width}}  {email}")
        self.stdout.write(f"\nPassword for the demonstration accounts made now: {password}")
        self.stdout.write(
            "It is shown this once. Keep it, or set a new one with --reset-password.\n"
        )
        self._second_factor_help(report.second_factor_users)

    def _second_factor_help(self, addresses: list[str]) -> None:
        if not addresses:
            return
        self.stdout.write(
            f"\n{len(addresses)} of the accounts (the secretariat, the board chair and the "
            "members of the Case Review subgroup and the Child Death Overview Panel among "
            "them) sign in with a code from an authenticator app after the password. For the "
            "demonstration, their apps are set up already: get the code an app would show now "
            "with\n\n  .venv/bin/python manage.py demo_code EMAIL\n"
        )
