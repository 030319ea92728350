"""Many signed-in people at once against a real server: the site served by gunicorn with DEBUG
off, on a throwaway PostgreSQL database filled to ten years of a busy board.

A benchmark, not a test. It fills the database as `manage.py bench --national` does, signs in
the people the bench requests pages as, collects the static files, starts gunicorn, and has
`--users` threads request the bench's pages in turn, each as its page's person, for
`--seconds`. It prints, for each page, the server's time (gunicorn's own measure of each
request, from its access log: what a worker spent, not the time a request waited for one) at
the median and 95th percentile, the time people saw, the requests made and any that failed.
"""

from __future__ import annotations

import json
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test.utils import (
    override_settings,
    setup_databases,
    teardown_databases,
    teardown_test_environment,
)

from ._bench_board import NATIONAL_SCALE, board, fill
from .bench import _clients, _targets, pages_matching, start_bench, table_lines

# gunicorn writes each request as: its request line, status, milliseconds in the worker.
ACCESS_FORMAT = "%(r)s %(s)s %(M)s"
# The set-password pages need a link of their own, made for one person: not loaded.
SKIPPED = ("{reset}", "{welcome}")


@dataclass
class Load:
    page: str
    user: str
    seen_ms: list[float] = field(default_factory=list)
    server_ms: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


@dataclass
class Row:
    page: str
    user: str
    requests: int
    server_median_ms: float
    server_p95_ms: float
    seen_median_ms: float
    failures: int


class Command(BaseCommand):
    help = (
        "Fill a throwaway PostgreSQL database to ten years of a busy board, serve it with "
        "gunicorn (DEBUG off) and load every page with many signed-in people at once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=int, default=NATIONAL_SCALE, help="People.")
        parser.add_argument("--users", type=int, default=50, help="People at once (50).")
        parser.add_argument("--seconds", type=int, default=240, help="How long (240).")
        parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (4).")
        parser.add_argument("--port", type=int, default=8765, help="Where gunicorn listens.")
        parser.add_argument(
            "--only", action="append", default=[], metavar="TEXT", help="As for `bench`."
        )
        parser.add_argument("--json", type=Path, metavar="PATH", help="Write the results here.")

    def handle(self, *args, scale: int, users: int, seconds: int, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("The benchmark is for a local copy only, and DEBUG is off.")
        if connection.vendor != "postgresql":
            raise CommandError(
                "Set DATABASE_URL to a PostgreSQL server: gunicorn's workers share it."
            )
        if scale < 1 or users < 1 or seconds < 1 or options["workers"] < 1:
            raise CommandError("--scale, --users, --seconds and --workers must be at least 1.")
        pages = pages_matching(options["only"], skipped=SKIPPED)

        started = time.perf_counter()
        start_bench()
        media = tempfile.mkdtemp(prefix="bench-media-")
        static = tempfile.mkdtemp(prefix="bench-static-")
        old_config = setup_databases(0, False, aliases={"default"}, serialized_aliases=set())
        try:
            with override_settings(
                MEDIA_ROOT=media,
                STATIC_ROOT=static,
                PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            ):
                people = board()
                began = time.perf_counter()
                fill(scale, national=True)
                self.stdout.write(
                    f"Filled to {scale} people in {time.perf_counter() - began:.0f} s."
                )
                self.stdout.flush()
                clients = _clients(people)
                targets = []
                for client, url, user in _targets(people, clients, pages):
                    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
                    targets.append((cookie.value if cookie else None, url, user))
                database = settings.DATABASES["default"]["NAME"]
            connection.close()
            loads, total, wall = _run(
                targets, database, media, static, users=users, seconds=seconds, **options
            )
        finally:
            teardown_databases(old_config, 0)
            teardown_test_environment()
            shutil.rmtree(media, ignore_errors=True)
            shutil.rmtree(static, ignore_errors=True)

        rows = [_row(load) for load in loads]
        self._print(rows, total, wall, scale, users, options["workers"], started)
        if options["json"]:
            data = {"scale": scale, "users": users, "seconds": seconds, "requests": total}
            data["pages"] = [asdict(r) for r in rows]
            options["json"].write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
            self.stdout.write(f"Results written to {options['json']}.")
        if any(r.failures for r in rows):
            raise CommandError("Some requests failed: see the table.")

    def _print(self, rows, total, wall, scale, users, workers, started) -> None:
        header = ["page", "as", "requests", "server median ms", "server p95 ms", "seen median ms"]
        header.append("failed")
        table = [
            [
                r.page,
                r.user,
                str(r.requests),
                f"{r.server_median_ms:.0f}",
                f"{r.server_p95_ms:.0f}",
                f"{r.seen_median_ms:.0f}",
                str(r.failures),
            ]
            for r in rows
        ]
        for line in table_lines(header, table):
            self.stdout.write(line)
        slow = [r for r in rows if r.server_median_ms > 300]
        self.stdout.write(
            f"\n{scale} people, {users} at once on gunicorn ({workers} workers, DEBUG off), "
            f"{total} requests in {wall:.0f} s ({total / wall:.1f} a second); "
            f"{time.perf_counter() - started:.0f} s in all."
        )
        if slow:
            self.stdout.write(self.style.WARNING("Pages over 300 ms of server time at the median:"))
            for r in slow:
                self.stdout.write(self.style.WARNING(f"  {r.page} as {r.user}"))
        else:
            self.stdout.write(self.style.SUCCESS("Every page under 300 ms of server time."))


def _run(targets, database, media, static, *, users, seconds, workers, port, **_):
    """Start gunicorn on the filled database, load it, stop it; each page's Load."""
    log = Path(tempfile.mkdtemp(prefix="bench-log-")) / "access.log"
    errors = log.with_name("errors.log")  # gunicorn's own log, and the site's
    environment = {
        **os.environ,
        "DATABASE_URL": _database_url(database),
        "DEBUG": "false",
        # The sessions were signed with this key; nothing else uses it.
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "https://bench.example",
        "CSRF_TRUSTED_ORIGINS": "https://bench.example",
        "EMAIL_URL": "consolemail://",
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_ROOT": static,
        "MEDIA_ROOT": media,
        "CONN_MAX_AGE": "60",
    }
    # The gunicorn beside this Python, with arguments made here: no input from outside.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=settings.BASE_DIR,
        env=environment,
        check=True,
    )
    server = subprocess.Popen(  # noqa: S603
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "hscb.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--access-logfile",
            str(log),
            "--access-logformat",
            ACCESS_FORMAT,
            "--no-control-socket",
        ],
        cwd=settings.BASE_DIR,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=errors.open("w", encoding="utf-8"),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base, server, errors)
        loads = {url: Load(url, user) for _, url, user in targets}
        lock = threading.Lock()
        stop_at = time.monotonic() + seconds
        threads = [
            threading.Thread(
                target=_person, args=(n, base, targets, loads, lock, stop_at), daemon=True
            )
            for n in range(users)
        ]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.monotonic() - began
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    _read_access_log(log, loads)
    if any(load.failures for load in loads.values()):
        sys.stderr.write(errors.read_text(encoding="utf-8")[-4000:])
    shutil.rmtree(log.parent, ignore_errors=True)
    total = sum(len(load.seen_ms) for load in loads.values())
    return list(loads.values()), total, wall


def _database_url(name: str) -> str:
    db = settings.DATABASES["default"]
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    at = f"{user}{password}@" if user else ""
    return f"postgres://{at}{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}/{name}"


def _wait_for(base: str, server: subprocess.Popen, errors: Path) -> None:
    for _ in range(120):
        if server.poll() is not None:
            raise CommandError(f"gunicorn stopped: {errors.read_text(encoding='utf-8')[-2000:]}")
        try:
            with urllib.request.urlopen(f"{base}/health/", timeout=5) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise CommandError("gunicorn did not answer within a minute.")


def _person(n, base, targets, loads, lock, stop_at) -> None:
    """One person: the pages in an order of their own, again and again, until the time is up."""
    order = list(targets)
    random.Random(n).shuffle(order)  # noqa: S311 (an order, not a secret)
    while time.monotonic() < stop_at:
        for session, url, _ in order:
            if time.monotonic() >= stop_at:
                return
            request = urllib.request.Request(base + url)  # noqa: S310 (our own server)
            if session:
                request.add_header("Cookie", f"{settings.SESSION_COOKIE_NAME}={session}")
            began = time.perf_counter()
            problem = ""
            try:
                with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
                    response.read()
                    if response.status != 200 or response.url != base + url:
                        problem = f"{response.status} at {response.url}"
            except urllib.error.HTTPError as error:
                problem = str(error.code)
            except OSError as error:
                problem = type(error).__name__
            seen = (time.perf_counter() - began) * 1000
            with lock:
                loads[url].seen_ms.append(seen)
                if problem:
                    loads[url].failures.append(problem)


def _read_access_log(log: Path, loads: dict[str, Load]) -> None:
    """gunicorn's time for each request, by page: "GET /path?query HTTP/1.1 200 12"."""
    if not log.exists():
        return
    for line in log.read_text(encoding="utf-8").splitlines():
        parts = line.split(" ")
        if len(parts) != 5 or parts[0] != "GET":
            continue
        load = loads.get(parts[1])
        if load is not None and parts[4].isdigit():
            load.server_ms.append(float(parts[4]))


def _row(load: Load) -> Row:
    server = sorted(load.server_ms) or [0.0]
    return Row(
        page=load.page,
        user=load.user,
        requests=len(load.seen_ms),
        server_median_ms=statistics.median(server),
        server_p95_ms=server[math.ceil(0.95 * len(server)) - 1],
        seen_median_ms=statistics.median(load.seen_ms) if load.seen_ms else 0.0,
        failures=len(load.failures),
    )
