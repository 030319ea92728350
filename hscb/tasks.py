"""Celery tasks of the board core. Each takes primary keys, re-reads rows and calls a service."""

from __future__ import annotations

import socket
from smtplib import SMTPException

from celery import shared_task
from django.core.management import call_command

from hscb import services

EMAIL_RETRY = {
    "autoretry_for": (SMTPException, ConnectionError, TimeoutError),
    "retry_backoff": 30,
    "retry_backoff_max": 30 * 60,
    "max_retries": 8,
}


@shared_task(**EMAIL_RETRY)
def send_set_password_email(user_pk: int) -> bool:
    """Invite a new user to set their password. Sends at most once however often it runs."""
    return services.invitation_send(user_pk=user_pk)


@shared_task(**EMAIL_RETRY)
def send_password_reset_email(user_pk: int) -> bool:
    return services.password_reset_send(user_pk=user_pk)


@shared_task(**EMAIL_RETRY)
def send_email_changed_notice(user_pk: int, old_email: str) -> bool:
    """Tell the old address that an account's email address was changed."""
    return services.email_changed_notice_send(user_pk=user_pk, old_email=old_email)


@shared_task
def clear_expired_sessions() -> None:
    """Delete expired sign-in sessions (scheduled daily in django-celery-beat)."""
    call_command("clearsessions")


@shared_task(bind=True)
def worker_ping(self, number: int) -> dict[str, object]:
    """Answer from whichever process runs the task, to show the broker and a worker are up."""
    return {
        "double": number * 2,
        "hostname": self.request.hostname or socket.gethostname(),
        "eager": bool(self.request.is_eager),
    }
