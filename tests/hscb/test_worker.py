"""A task really goes through Redis to a separate Celery worker, not run in the test's process.

`.ci/run` starts Redis and a worker and sets REDIS_URL. Without REDIS_URL the test is skipped on a
developer's machine, but fails under CI so that a broken CI set-up cannot pass by skipping it.
"""

from __future__ import annotations

import os

import pytest

from hscb.celery import app
from hscb.tasks import worker_ping

pytestmark = pytest.mark.worker


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


@pytest.fixture
def worker_names() -> set[str]:
    """The names of the workers listening on the broker at REDIS_URL."""
    if not os.environ.get("REDIS_URL"):
        reason = "REDIS_URL is not set: start Redis and a Celery worker to run this test"
        if _in_ci():
            pytest.fail(f"{reason}. CI must run it (see .ci/run).")
        pytest.skip(reason)
    assert app.conf.broker_url.startswith("redis"), app.conf.broker_url
    replies = app.control.ping(timeout=5) or []
    names = {name for reply in replies for name in reply}
    if not names:
        pytest.fail(f"No Celery worker answered on {app.conf.broker_url}.")
    return names


def test_task_goes_through_redis_to_a_real_worker(worker_names):
    assert app.conf.task_always_eager is False

    result = worker_ping.delay(21).get(timeout=30)

    assert result["double"] == 42
    assert result["eager"] is False
    assert result["hostname"] in worker_names
