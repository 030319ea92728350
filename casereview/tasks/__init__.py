"""Celery tasks of the case review app (found by the worker's autodiscovery of `tasks`)."""

from casereview.tasks import cases, notify, reviews  # noqa: F401
