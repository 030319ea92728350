"""`manage.py restore ARCHIVE [--database-url URL]`: bring a backup back into an empty database
(this site's, or the one given) and an empty media folder, then check every table's rows and
every file's checksum against the archive's manifest."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from hscb.lib.backups import BackupError, Database, default_database, restore


class Command(BaseCommand):
    help = "Restore a backup made by `manage.py backup` into an empty database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument(
            "--database-url",
            help="Restore into this database instead of the site's (DATABASE_URL).",
        )
        parser.add_argument(
            "--media",
            type=Path,
            default=None,
            help="Restore the files into this folder instead of MEDIA_ROOT.",
        )

    def handle(self, *args, archive: Path, database_url: str | None, media: Path | None, **_):
        try:
            database = Database.from_url(database_url) if database_url else default_database()
            done = restore(archive, database=database, media=media or Path(settings.MEDIA_ROOT))
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Restored {done.tables} tables ({done.rows} rows) and {done.files} files into "
            f"{database.label}; every count and checksum matches the backup."
        )
