"""The Celery app. Configuration comes from Django settings prefixed CELERY_ (see settings.py)."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hscb.settings")

app = Celery("hscb")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
