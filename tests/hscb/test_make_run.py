"""`make run` serves on PORT (8000 unless told), and the links in its emails follow the port."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _serving(*arguments: str) -> str:
    """The command with which `make run` would serve the site, without running it (make's dry
    run; run from `make test`, make also says which folder it is in)."""
    done = subprocess.run(  # noqa: S603
        ["make", "--dry-run", "--always-make", "--no-print-directory", "run", *arguments],  # noqa: S607
        cwd=ROOT,
        env={name: value for name, value in os.environ.items() if name != "PORT"},
        capture_output=True,
        text=True,
        check=True,
    )
    [line] = [line for line in done.stdout.splitlines() if "runserver" in line]
    return line


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_run_serves_on_the_port_given_and_links_follow_it():
    default = _serving()
    assert default.endswith("manage.py runserver 127.0.0.1:8000")
    assert 'SITE_URL="${SITE_URL:-http://127.0.0.1:8000}"' in default
    other = _serving("PORT=8123")
    assert other.endswith("manage.py runserver 127.0.0.1:8123")
    assert 'SITE_URL="${SITE_URL:-http://127.0.0.1:8123}"' in other
