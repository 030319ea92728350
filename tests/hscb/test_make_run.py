"""`make run` serves on PORT (8000 unless told), and the links in its emails follow the port."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run_commands(*arguments: str) -> str:
    """What `make run` would do, without doing it (make's dry run)."""
    done = subprocess.run(  # noqa: S603
        ["make", "--dry-run", "--always-make", "run", *arguments],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_run_serves_on_the_port_given_and_links_follow_it():
    default = _run_commands().splitlines()[-1]
    assert default.endswith("manage.py runserver 127.0.0.1:8000")
    assert 'SITE_URL="${SITE_URL:-http://127.0.0.1:8000}"' in default
    other = _run_commands("PORT=8123").splitlines()[-1]
    assert other.endswith("manage.py runserver 127.0.0.1:8123")
    assert 'SITE_URL="${SITE_URL:-http://127.0.0.1:8123}"' in other
