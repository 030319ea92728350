"""Load the board's structure from the fixture that ships with the app."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand

from hscb.services.board import board_load

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "board.json"


class Command(BaseCommand):
    help = (
        "Create the Strategic Board, its subgroups and panels with their objectives, and the home "
        "and neighbouring areas. Running it again creates nothing twice and keeps admin edits."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--update",
            action="store_true",
            help="Put the fixture's text back on records that were changed since.",
        )

    def handle(self, *args, update: bool = False, **options) -> None:
        data = json.loads(FIXTURE.read_text(encoding="utf-8"))
        report = board_load(data=data, update=update)
        self.stdout.write(self.style.SUCCESS(f"Board structure loaded: {report.summary()}."))
