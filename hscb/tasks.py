"""Celery tasks of the board core. Each takes primary keys, re-reads rows and calls a service."""

from __future__ import annotations

import socket
from smtplib import SMTPException

from celery import shared_task
from django.conf import settings
from django.core.management import call_command

from hscb.services import board as services
from hscb.services import reminders, twofactor

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
def send_second_factor_changed_notice(user_pk: int) -> bool:
    """Tell a person, at their address in the database, that their second factor changed."""
    return twofactor.second_factor_changed_notice_send(user_pk=user_pk)


@shared_task(**EMAIL_RETRY)
def send_second_factor_reset_notice(user_pk: int) -> bool:
    """Tell a person, at their address in the database, that their second factor was reset."""
    return twofactor.second_factor_reset_notice_send(user_pk=user_pk)


@shared_task(**EMAIL_RETRY)
def send_email_changed_notice(entry_pk: int) -> bool:
    """Tell the old address that an account's email address was changed, for the history row
    of the change: the address is read from that row, never passed in. Sends at most once."""
    return services.email_changed_notice_send(entry_pk=entry_pk)


@shared_task(**EMAIL_RETRY)
def send_area_panel_email_changed(entry_pk: int) -> int:
    """Tell an area's old child death panel address and our panel's chairs that the address
    was changed, for the history row of the change (recipients are all read from the
    database). Sends at most once."""
    return services.area_panel_email_changed_send(entry_pk=entry_pk)


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


@shared_task(
    **EMAIL_RETRY,
    soft_time_limit=settings.RETENTION_TASK_TIME_LIMIT,
    time_limit=settings.RETENTION_TASK_TIME_LIMIT + 60,
)
def apply_retention() -> dict[str, int]:
    """Apply the board's records policy (scheduled nightly in django-celery-beat): remind the
    authors of drafts about to expire, then delete what the policy no longer keeps, with the
    child's details in its history. Takes no arguments and finds every recipient in the
    database; safe to run twice. A reminder that could not be sent makes the task retry (what
    was done is not done again)."""
    from hscb.lib import retention

    results = retention.retention_apply()
    summary = {
        "reminded": sum(len(r.reminded) for r in results),
        "deleted": sum(len(r.deleted) for r in results),
        "kept": sum(len(r.kept) for r in results),
        "failed": sum(len(r.failed) for r in results),
    }
    unsent = sum(len(r.reminders_failed) for r in results)
    if unsent:
        raise EmailsNotSent(f"{unsent} draft expiry reminders could not be sent")
    return summary
