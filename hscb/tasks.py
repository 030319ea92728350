"""Celery tasks of the board core. Each takes primary keys, re-reads rows and calls a service."""

from __future__ import annotations

import socket
from smtplib import SMTPException

from celery import shared_task
from django.conf import settings
from django.core.management import call_command

from hscb.services import board as services
from hscb.services import reminders

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


class EmailsNotSent(ConnectionError):
    """Some emails of a run failed; their claims were given back, so a retry sends them."""


LONG_RUN = {
    "soft_time_limit": settings.REMINDER_TASK_TIME_LIMIT,
    "time_limit": settings.REMINDER_TASK_TIME_LIMIT + 60,
}


@shared_task(**EMAIL_RETRY, **LONG_RUN)
def send_reminders() -> dict[str, int]:
    """Send the day's reminders (scheduled daily in django-celery-beat). Safe to run twice."""
    report = reminders.reminders_send()
    if report.failed:
        raise EmailsNotSent(f"{len(report.failed)} reminder emails could not be sent")
    return {"emails": report.emails, "items": report.items}


@shared_task(**EMAIL_RETRY, **LONG_RUN)
def send_chair_digests() -> dict[str, int]:
    """Send each chair their weekly digest (scheduled weekly). Never twice in a week."""
    report = reminders.digests_send()
    if report.failed:
        raise EmailsNotSent(f"{len(report.failed)} digests could not be sent")
    return {"emails": report.emails, "items": report.items}


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


@shared_task(**EMAIL_RETRY)
def send_action_assigned(note_pk: int) -> bool:
    """Tell an action's owner that it is now theirs, for the note that recorded the new action
    or the change of owner. Sends once per note however often it runs; a failed send gives the
    claim back so the retry sends."""
    from hscb.services import actions

    return actions.action_assigned_send(note_pk=note_pk)


@shared_task(**EMAIL_RETRY)
def send_action_chase(note_pk: int) -> bool:
    """Email an action's owner the chair's nudge, for the "Chased by" note. The once-a-day
    claim is made by the `action_chase` service before this is queued; the note is claimed
    here, so the nudge is sent once however often this runs."""
    from hscb.services import actions

    return actions.action_chase_send(note_pk=note_pk)


@shared_task(**EMAIL_RETRY)
def send_meeting_papers(meeting_pk: int) -> int:
    """Email a meeting's agenda and links to its papers to the group's members. Sends once per
    request however often it runs; a failed send gives the claim back so the retry sends."""
    from hscb.services.meetings import meeting_papers_email

    return meeting_papers_email(meeting_pk=meeting_pk)
