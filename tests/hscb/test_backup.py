"""Backups round-trip: the demonstration's board backed up with its uploaded files, restored into
a fresh PostgreSQL database and an empty folder, and every table's row count and every file's
checksum compared; an SQLite copy the same way; and a restore refused, with a message, where it
would overwrite or cannot read."""

from __future__ import annotations

import os
import sqlite3
import stat
import uuid
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from hscb.lib.backups import Database, backup, default_database, file_checksums
from tests.hscb.factories import PaperFactory

ON_POSTGRESQL = connection.vendor == "postgresql"


@pytest.fixture
def fresh_postgresql():
    """An empty PostgreSQL database beside the test's, dropped afterwards."""
    import psycopg

    site = default_database()
    name = f"restore_{uuid.uuid4().hex[:12]}"
    options = {
        "user": site.user or None,
        "password": site.password or None,
        "host": site.host or None,
        "port": site.port or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **options) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield Database(
        engine="postgresql",
        name=name,
        user=site.user,
        password=site.password,
        host=site.host,
        port=site.port,
    )
    with psycopg.connect(dbname="postgres", autocommit=True, **options) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _url(database: Database) -> str:
    login = database.user + (f":{database.password}" if database.password else "")
    where = f"{database.host}:{database.port}" if database.port else database.host
    return f"postgres://{login}@{where}/{database.name}"


@pytest.mark.skipif(not ON_POSTGRESQL, reason="PostgreSQL only (CI runs the suite on it)")
@pytest.mark.django_db(transaction=True)
def test_the_demonstration_round_trips_into_a_fresh_postgresql_database(
    board, settings, tmp_path, fresh_postgresql
):
    settings.DEBUG = True
    call_command("load_demo", "--password", "demo password 2026", stdout=StringIO())
    PaperFactory(title="Register report")
    PaperFactory(title="Neglect audit")
    media = Path(settings.MEDIA_ROOT)
    backups = tmp_path / "backups"
    out = StringIO()
    call_command("backup", "--to", str(backups), stdout=out)
    [archive] = list(backups.iterdir())
    assert archive.name.startswith("safeguard-board-backup-") and archive.suffixes[-2:] == [
        ".tar",
        ".gz",
    ]
    # Every child's record is in it: readable by its owner only.
    assert stat.S_IMODE(os.stat(archive).st_mode) == 0o600
    assert str(archive) in out.getvalue()

    restored_media = tmp_path / "restored-media"
    out = StringIO()
    restore_into = [str(archive), "--database-url", _url(fresh_postgresql), "--media"]
    call_command("restore", *restore_into, str(restored_media), stdout=out)
    site_counts = default_database().row_counts()
    restored_counts = fresh_postgresql.row_counts()
    assert restored_counts == site_counts
    assert site_counts["hscb_user"] > 5 and site_counts["hscb_meeting"] > 3
    assert file_checksums(restored_media) == file_checksums(media)
    assert len(file_checksums(media)) >= 2
    print(
        f"\nBacked up and restored {len(site_counts)} tables, {sum(site_counts.values())} rows "
        f"and {len(file_checksums(media))} files: every count and checksum the same."
    )
    assert "every count and checksum matches the backup" in out.getvalue()

    # Restoring again over what is now there is refused, and changes nothing.
    with pytest.raises(CommandError, match="is not empty: restore into a new, empty database"):
        call_command("restore", *restore_into, str(tmp_path / "elsewhere"), stdout=StringIO())
    assert fresh_postgresql.row_counts() == restored_counts


def _sqlite_site(path: Path) -> Database:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE meeting (id INTEGER PRIMARY KEY, title TEXT)")
        db.executemany("INSERT INTO meeting (title) VALUES (?)", [("Board",), ("Audit",)])
        db.execute("CREATE TABLE paper (id INTEGER PRIMARY KEY)")
    return Database(engine="sqlite", name=str(path))


def test_an_sqlite_copy_round_trips_with_its_files(tmp_path):
    site = _sqlite_site(tmp_path / "site.sqlite3")
    media = tmp_path / "media"
    (media / "papers" / "2026").mkdir(parents=True)
    (media / "papers" / "2026" / "report.pdf").write_bytes(b"%PDF-1.4 a paper")
    archive = backup(tmp_path / "backups", database=site, media=media)
    target = tmp_path / "restored.sqlite3"
    call_command(
        "restore",
        str(archive),
        "--database-url",
        f"sqlite:///{target}",
        "--media",
        str(tmp_path / "restored-media"),
        stdout=StringIO(),
    )
    restored = Database(engine="sqlite", name=str(target))
    assert restored.row_counts() == site.row_counts() == {"meeting": 2, "paper": 0}
    assert file_checksums(tmp_path / "restored-media") == file_checksums(media)


def test_a_restore_is_refused_where_it_would_overwrite_or_cannot_read(tmp_path):
    site = _sqlite_site(tmp_path / "site.sqlite3")
    archive = backup(tmp_path / "backups", database=site, media=tmp_path / "no-media")
    # Into a database that has tables already.
    with pytest.raises(CommandError, match="is not empty: restore into a new, empty database"):
        call_command("restore", str(archive), "--database-url", f"sqlite:///{site.name}")
    # Into a folder that has files already.
    full = tmp_path / "full"
    full.mkdir()
    (full / "kept.pdf").write_bytes(b"kept")
    empty = f"sqlite:///{tmp_path / 'new.sqlite3'}"
    with pytest.raises(CommandError, match="is not empty: restore the files into an empty one"):
        call_command("restore", str(archive), "--database-url", empty, "--media", str(full))
    assert (full / "kept.pdf").read_bytes() == b"kept"
    # Something that is not an archive, or no file at all.
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not an archive")
    media = str(tmp_path / "m")
    with pytest.raises(CommandError, match="is not a backup this can read"):
        call_command("restore", str(junk), "--database-url", empty, "--media", media)
    with pytest.raises(CommandError, match="There is no archive at"):
        call_command("restore", str(tmp_path / "none.tar.gz"), "--database-url", empty)
    # A database this cannot back up.
    with pytest.raises(CommandError, match="Backups are made of PostgreSQL or SQLite"):
        call_command("restore", str(archive), "--database-url", "mysql://u@h/db")
