"""Celery tasks of the subgroups. Each takes primary keys and calls a service."""

from __future__ import annotations

from celery import shared_task

from hscb.tasks import EMAIL_RETRY


@shared_task(**EMAIL_RETRY)
def send_escalation_proposed(escalation_pk: int) -> int:
    """Tell the board chair and the secretariat that an issue has been escalated. Sends once
    however often it runs."""
    from subgroups.services.notify import escalation_proposed_send

    return escalation_proposed_send(escalation_pk=escalation_pk)
