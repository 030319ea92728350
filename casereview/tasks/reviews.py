"""Tasks of reviews' action plans. Each takes primary keys, re-reads the rows and calls a
service; each is safe to run twice."""

from __future__ import annotations

from celery import shared_task

from hscb.tasks import EMAIL_RETRY


@shared_task(**EMAIL_RETRY)
def send_plan_action_assigned(update_pk: int) -> bool:
    """Tell an action plan action's owner that it is theirs, for the history entry that recorded
    the new action or its change of owner. Sends once per entry however often it runs; a failed
    send gives the claim back so the retry sends."""
    from casereview.services.reviews import plan_action_assigned_send

    return plan_action_assigned_send(update_pk=update_pk)
