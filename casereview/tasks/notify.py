"""Emails about serious-incident notifications. Each task takes a primary key and calls a
service; each sends once however often it runs (a retry, a message delivered twice)."""

from __future__ import annotations

from celery import shared_task

from hscb.tasks import EMAIL_RETRY


@shared_task(**EMAIL_RETRY)
def send_notification_receipt(notification_pk: int) -> bool:
    """The notifier's receipt: the reference and a link, nothing about the child."""
    from casereview.services.notifications import notification_receipt_send

    return notification_receipt_send(notification_pk=notification_pk)


@shared_task(**EMAIL_RETRY)
def send_notification_received(notification_pk: int) -> int:
    """Tell the Case Review chairs and the secretariat that a notification has come in."""
    from casereview.services.notifications import notification_received_send

    return notification_received_send(notification_pk=notification_pk)
