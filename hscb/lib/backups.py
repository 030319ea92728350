"""Backups: the database and the uploaded files in one dated archive, and their restoring into an
empty database. The archive holds a manifest (every table's row count, every file's SHA-256)
that a restore checks what it brought back against.

PostgreSQL is dumped with `pg_dump` (custom format) and restored with `pg_restore`; SQLite
(the local copy of `make run`) is copied with SQLite's own backup. The archive is written
readable by its owner only: it holds every child's record the board keeps."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import environ
from django.db import connections
from django.utils import timezone

PREFIX = "safeguard-board-backup"
MANIFEST = "manifest.json"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
MEDIA = "media"


class BackupError(Exception):
    """Why a backup or a restore could not be done, in words for the person running it."""


@dataclass(frozen=True)
class Database:
    """A database to dump or restore into: `engine` is "postgresql" or "sqlite"."""

    engine: str
    name: str
    user: str = ""
    password: str = ""
    host: str = ""
    port: str = ""

    @classmethod
    def from_settings(cls, config: dict) -> Database:
        engine = config["ENGINE"].rsplit(".", 1)[-1]
        if engine not in ("postgresql", "sqlite3"):
            raise BackupError(f"Backups are made of PostgreSQL or SQLite, not {engine}.")
        return cls(
            engine="sqlite" if engine == "sqlite3" else "postgresql",
            name=str(config["NAME"]),
            user=config.get("USER") or "",
            password=config.get("PASSWORD") or "",
            host=config.get("HOST") or "",
            port=str(config.get("PORT") or ""),
        )

    @classmethod
    def from_url(cls, url: str) -> Database:
        return cls.from_settings(environ.Env.db_url_config(url))

    @property
    def label(self) -> str:
        """The database named without its password."""
        where = f"{self.host}:{self.port}/" if self.host else ""
        return f"{self.engine} {where}{self.name}"

    def _pg_args(self) -> list[str]:
        args = ["--dbname", self.name]
        for flag, value in (
            ("--host", self.host),
            ("--port", self.port),
            ("--username", self.user),
        ):
            if value:
                args += [flag, value]
        return args

    def _pg_env(self) -> dict[str, str]:
        env = dict(os.environ)
        if self.password:
            env["PGPASSWORD"] = self.password
        return env

    @contextlib.contextmanager
    def connect(self) -> Iterator:
        """A DB-API connection of its own (not Django's), closed afterwards."""
        if self.engine == "sqlite":
            connection = sqlite3.connect(self.name, uri=self.name.startswith("file:"))
        else:
            import psycopg

            connection = psycopg.connect(
                dbname=self.name,
                user=self.user or None,
                password=self.password or None,
                host=self.host or None,
                port=self.port or None,
                autocommit=True,
            )
        try:
            yield connection
        finally:
            connection.close()

    def tables(self) -> list[str]:
        with self.connect() as connection:
            cursor = connection.cursor()
            if self.engine == "sqlite":
                cursor.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%' ORDER BY name"
                )
            else:
                cursor.execute(
                    "SELECT table_name FROM information_schema.tables "
                    "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1"
                )
            return [row[0] for row in cursor.fetchall()]

    def row_counts(self) -> dict[str, int]:
        """Every table's number of rows."""
        counts = {}
        with self.connect() as connection:
            cursor = connection.cursor()
            for table in self.tables():
                quoted = '"' + table.replace('"', '""') + '"'
                cursor.execute(f"SELECT COUNT(*) FROM {quoted}")  # noqa: S608 (a table's name)
                counts[table] = cursor.fetchone()[0]
        return counts

    def dump(self, directory: Path) -> str:
        """Dump the database into `directory`; the file's name."""
        if self.engine == "sqlite":
            target = directory / SQLITE_COPY
            with self.connect() as source, contextlib.closing(sqlite3.connect(target)) as copy:
                source.backup(copy)
            return SQLITE_COPY
        target = directory / PG_DUMP
        _run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(target)],
            self._pg_args(),
            env=self._pg_env(),
            what="pg_dump",
        )
        return PG_DUMP

    def load(self, dump: Path) -> None:
        """Bring a dump back into this database, which must be empty."""
        if self.engine == "sqlite":
            if dump.name != SQLITE_COPY:
                raise BackupError(
                    "This archive holds a PostgreSQL dump: restore it into PostgreSQL."
                )
            with contextlib.closing(sqlite3.connect(dump)) as source, self.connect() as target:
                source.backup(target)
            return
        if dump.name != PG_DUMP:
            raise BackupError("This archive holds an SQLite copy: restore it into SQLite.")
        _run(
            ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", str(dump)],
            self._pg_args(),
            env=self._pg_env(),
            what="pg_restore",
        )


def _run(program: list[str], target: list[str], *, env: dict[str, str], what: str) -> None:
    command = [*program, *target]
    if shutil.which(command[0]) is None:
        raise BackupError(f"{what} is not installed: install PostgreSQL's client programs.")
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode:
        raise BackupError(f"{what} failed: {done.stderr.strip()[-2000:]}")


def file_checksums(root: Path) -> dict[str, str]:
    """Every file under `root`, by its path from there, with its SHA-256."""
    sums = {}
    if not root.exists():
        return sums
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda h=handle: h.read(1 << 20), b""):
                digest.update(block)
        sums[path.relative_to(root).as_posix()] = digest.hexdigest()
    return sums


def backup(directory: Path, *, database: Database, media: Path, now=None) -> Path:
    """Write the database and the files under `media` into one dated archive in `directory`,
    readable by its owner only; its path."""
    now = timezone.localtime(now)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    archive = directory / f"{PREFIX}-{now:%Y%m%d-%H%M%S}.tar.gz"
    if archive.exists():
        raise BackupError(f"{archive} is there already: wait a second and run it again.")
    with tempfile.TemporaryDirectory(prefix="backup-") as work:
        work_dir = Path(work)
        dump = database.dump(work_dir)
        manifest = {
            "made_at": now.isoformat(),
            "engine": database.engine,
            "database": dump,
            "tables": database.row_counts(),
            "files": file_checksums(media),
        }
        (work_dir / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        partial = directory / f".{archive.name}.partial"
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            tar.add(work_dir / MANIFEST, arcname=MANIFEST)
            tar.add(work_dir / dump, arcname=dump)
            if media.exists():
                tar.add(media, arcname=MEDIA)
        partial.rename(archive)
    return archive


@dataclass(frozen=True)
class Restored:
    tables: int
    rows: int
    files: int


def restore(archive: Path, *, database: Database, media: Path) -> Restored:
    """Bring an archive back into an empty database and an empty media folder, then check
    every table's rows and every file's checksum against its manifest."""
    if not archive.is_file():
        raise BackupError(f"There is no archive at {archive}.")
    if database.tables():
        raise BackupError(
            f"The database {database.label} is not empty: restore into a new, empty database."
        )
    if media.exists() and any(media.iterdir()):
        raise BackupError(f"The folder {media} is not empty: restore the files into an empty one.")
    with tempfile.TemporaryDirectory(prefix="restore-") as work:
        work_dir = Path(work)
        try:
            with tarfile.open(archive, mode="r:gz") as tar:
                tar.extractall(work_dir, filter="data")
            manifest = json.loads((work_dir / MANIFEST).read_text(encoding="utf-8"))
        except (tarfile.TarError, OSError, ValueError, KeyError) as error:
            raise BackupError(f"{archive} is not a backup this can read ({error}).") from error
        database.load(work_dir / manifest["database"])
        if (work_dir / MEDIA).exists():
            media.mkdir(parents=True, exist_ok=True)
            shutil.copytree(work_dir / MEDIA, media, dirs_exist_ok=True)
    counts = database.row_counts()
    if counts != manifest["tables"]:
        wrong = sorted(set(counts.items()) ^ set(manifest["tables"].items()))
        raise BackupError(f"The restored tables differ from the backup's: {wrong[:10]}")
    if file_checksums(media) != manifest["files"]:
        raise BackupError("The restored files differ from the backup's checksums.")
    return Restored(tables=len(counts), rows=sum(counts.values()), files=len(manifest["files"]))


def default_database() -> Database:
    """The site's database, as its connection names it (a test run's own, in the tests)."""
    return Database.from_settings(connections["default"].settings_dict)
