"""Emails about the Case Review subgroup's cases. Each task takes a primary key and calls a
service; each sends once however often it runs."""

from __future__ import annotations

from celery import shared_task

from hscb.tasks import EMAIL_RETRY


@shared_task(**EMAIL_RETRY)
def send_decision_needed(notification_pk: int) -> int:
    """Tell the board chair that a case awaits their decision."""
    from casereview.services.cases import decision_needed_send

    return decision_needed_send(notification_pk=notification_pk)
