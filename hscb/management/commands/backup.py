"""`manage.py backup [--to DIRECTORY]`: the database and the uploaded files in one dated archive
(see hscb/lib/backups.py). Schedule it daily; keep the archives somewhere else, encrypted."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from hscb.lib.backups import BackupError, backup, default_database


class Command(BaseCommand):
    help = "Write the database and the uploaded files into one dated archive."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--to",
            type=Path,
            default=Path(settings.BASE_DIR) / "backups",
            help="The folder for the archive (default: backups/).",
        )

    def handle(self, *args, to: Path, **options) -> None:
        database = default_database()
        try:
            archive = backup(to, database=database, media=Path(settings.MEDIA_ROOT))
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Backed up {database.label} and the uploaded files to {archive}")
