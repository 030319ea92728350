"""Celery tasks of the child death app (found by the worker's autodiscovery of `tasks`)."""

from cdop.tasks import notify, referrals, reports  # noqa: F401
