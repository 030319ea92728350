"""Emails that follow a death's notification. Each task takes a primary key and calls a service
in `cdop.services.deaths` (imported inside the task, so the worker loads no app code at import).
The referral email is claimed once (`Referral.emailed_at`); the two others are queued only from
the notifying transaction's commit and sent as one message each (see `death_notified_send`)."""

from __future__ import annotations

from celery import shared_task

from hscb.tasks import EMAIL_RETRY


@shared_task(**EMAIL_RETRY)
def send_death_notified(death_pk: int) -> int:
    """Tell the panel coordinator and the secretariat: the reference and a link, nothing more."""
    from cdop.services.deaths import death_notified_send

    return death_notified_send(death_pk=death_pk)


@shared_task(**EMAIL_RETRY)
def send_death_receipt(death_pk: int) -> bool:
    """A signed-in notifier's receipt: the reference and a link, nothing about the child."""
    from cdop.services.deaths import death_receipt_send

    return death_receipt_send(death_pk=death_pk)


@shared_task(**EMAIL_RETRY)
def send_death_referral(referral_pk: int) -> bool:
    """Email an outbound referral to the other area's panel (once; not when it has no address)."""
    from cdop.services.deaths import death_referral_send

    return death_referral_send(referral_pk=referral_pk)
