"""Records retention for case review (hscb.lib.retention, README "Records policy").

- A draft notification its notifier has not changed for `DRAFT_EXPIRY_DAYS` days (whole days,
  in Europe/London: one changed on 2 March is deleted by the run of 1 April) is deleted, once
  they have been told: the reminder goes `DRAFT_EXPIRY_REMINDER_DAYS` before, once (claimed with
  a conditional update of `expiry_reminded_at`), and names no child. Any change to the draft
  (`updated_at`) after the reminder starts the wait again: the next reminder is due as if the
  draft were new. A draft is deleted only once its reminder is at least the reminder's days
  old, so its notifier always has that notice, even after a run that did not happen.
- A submitted case (a notification with the notifications merged into it, its consideration,
  decision, review, action plan and lessons) is deleted `RETENTION_CASE_REVIEW_YEARS` after the
  last of its notifications was submitted.

Either way the rows go through `delete_with_history`, which takes the child's details (the
fields registered here) out of their history; their files leave storage once that is committed.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from hscb.lib.email import send_templated_email
from hscb.lib.retention import (
    delete_with_history,
    long_date,
    register_child_details,
    register_retention,
    years_before,
)

from ..models import (
    AgencyReport,
    Attachment,
    Consideration,
    Decision,
    Lesson,
    Milestone,
    Notification,
    NotificationStatus,
    PlanAction,
    PlanActionUpdate,
    PossibleDuplicate,
    Recommendation,
    Review,
)

# The fields of each model of a case that hold the child's details, or text about the child
# that may name them: taken out of the history of a deleted draft or case.
CHILD_DETAILS: dict[type, tuple[str, ...]] = {
    Notification: (
        "first_name",
        "last_name",
        "other_names",
        "date_of_birth",
        "age_years",
        "sex",
        "ethnicity",
        "nhs_number",
        "name_key",
        "home_area",
        "legal_status",
        "incident_date",
        "incident_description",
        "safety_action",
    ),
    Attachment: ("file", "original_name", "description"),
    PossibleDuplicate: ("note",),
    Consideration: ("assessment", "rationale"),
    Decision: ("reasons", "override_reason"),
    Review: ("terms_of_reference", "final_report", "final_report_name"),
    Milestone: ("title",),
    AgencyReport: ("note",),
    Recommendation: ("text",),
    PlanAction: ("description", "evidence"),
    PlanActionUpdate: ("note", "evidence"),
    Lesson: ("theme", "lesson", "return_reason"),
}
# Models whose text (a document's file name, a milestone's title…) may name the child.
NAMES_IN_REPR = (Attachment, Milestone, PlanAction, Lesson)


def delete_files_on_commit(files: list[tuple[Any, str]]) -> None:
    """Take the files out of storage once the rows that named them are gone for good."""

    def delete() -> None:
        for storage, name in files:
            storage.delete(name)

    if files:
        transaction.on_commit(delete)


def _quiet_for(now: datetime.datetime, days: int) -> datetime.datetime:
    """The start of the day (Europe/London) `days - 1` days before `now`'s: something last
    touched before it has been quiet for `days` days, counted in whole days, so that the run on
    the day an email names is the one that acts."""
    day = timezone.localdate(now) - datetime.timedelta(days=days - 1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


# Drafts ----------------------------------------------------------------------------------------


def _not_reminded_since_touched() -> Q:
    return Q(expiry_reminded_at__isnull=True) | Q(expiry_reminded_at__lt=F("updated_at"))


def drafts_to_remind(now: datetime.datetime) -> QuerySet[Notification]:
    """Drafts untouched for `DRAFT_EXPIRY_DAYS` less the reminder's days, whose notifier has not
    been told since they last changed them."""
    days = settings.DRAFT_EXPIRY_DAYS - settings.DRAFT_EXPIRY_REMINDER_DAYS
    return Notification.objects.filter(
        _not_reminded_since_touched(),
        status=NotificationStatus.DRAFT,
        updated_at__lt=_quiet_for(now, days),
    )


def _expired(now: datetime.datetime) -> Q:
    return Q(
        status=NotificationStatus.DRAFT,
        updated_at__lt=_quiet_for(now, settings.DRAFT_EXPIRY_DAYS),
        expiry_reminded_at__gte=F("updated_at"),
        expiry_reminded_at__lt=_quiet_for(now, settings.DRAFT_EXPIRY_REMINDER_DAYS),
    )


def drafts_expired(now: datetime.datetime) -> QuerySet[Notification]:
    """Drafts untouched for `DRAFT_EXPIRY_DAYS` whose notifier was told, at least the reminder's
    days ago, and has not changed them since."""
    return Notification.objects.filter(_expired(now))


def expires_on(draft: Notification, reminded_at: datetime.datetime) -> datetime.date:
    """The day of the run that deletes a draft left untouched after its reminder."""
    return max(
        timezone.localdate(draft.updated_at) + datetime.timedelta(days=settings.DRAFT_EXPIRY_DAYS),
        timezone.localdate(reminded_at)
        + datetime.timedelta(days=settings.DRAFT_EXPIRY_REMINDER_DAYS),
    )


def draft_reference(draft: Notification) -> str:
    return f"Draft notification {draft.pk}, last changed {long_date(draft.updated_at)}"


def draft_expiry_remind(*, notification_pk: int, now: datetime.datetime) -> bool:
    """Tell a draft's notifier that it will be deleted unless they change or submit it: once
    for each time it falls quiet. The draft is claimed first (a conditional update, so a second
    run, or two at once, finds it taken); a failed send gives the claim back for the next run.
    A notifier whose account is closed cannot be told: the claim stands, so the draft expires.
    The email gives the draft's number, the dates and a link; never the child's details."""
    claimed = drafts_to_remind(now).filter(pk=notification_pk).update(expiry_reminded_at=now)
    if not claimed:
        return False
    draft = Notification.objects.select_related("notifier").get(pk=notification_pk)
    if not draft.notifier.is_active:
        return False
    try:
        send_templated_email(
            "draft_expiry",
            to=[draft.notifier.email],
            context={
                "person": draft.notifier,
                "draft": draft,
                "started_on": long_date(draft.created_at),
                "changed_on": long_date(draft.updated_at),
                "expires_on": long_date(expires_on(draft, now)),
                "link": settings.SITE_URL
                + reverse("casereview:notification_check", kwargs={"pk": draft.pk}),
            },
        )
    except Exception:
        Notification.objects.filter(pk=notification_pk, expiry_reminded_at=now).update(
            expiry_reminded_at=None
        )
        raise
    return True


def draft_expire(*, notification: Notification, now: datetime.datetime) -> bool:
    """Delete a draft that has expired, with its documents and their files, and the child's
    details in its history. Checked again under a lock: a draft changed or submitted meanwhile
    is kept (False)."""
    with transaction.atomic():
        draft = Notification.objects.select_for_update().filter(_expired(now), pk=notification.pk)
        draft = draft.first()
        if draft is None:
            return False
        files = [(a.file.storage, a.file.name) for a in draft.attachments.all() if a.file]
        delete_with_history(draft)
        delete_files_on_commit(files)
    return True


# Submitted cases -------------------------------------------------------------------------------


def cases_due(now: datetime.datetime) -> QuerySet[Notification]:
    """Cases the policy no longer keeps: submitted more than `RETENTION_CASE_REVIEW_YEARS` ago,
    and so were the notifications merged into them (which go with them)."""
    before = years_before(now, settings.RETENTION_CASE_REVIEW_YEARS)
    return (
        Notification.objects.submitted()
        .filter(merged_into__isnull=True, submitted_at__lte=before)
        .exclude(merged__submitted_at__gt=before)
    )


def _case_notifications(case: Notification) -> list[Notification]:
    """The case and every notification merged into it (or into one merged into it), the case
    last."""
    found: list[Notification] = []
    level = [case]
    while level:
        found = level + found
        level = list(
            Notification.objects.filter(merged_into__in=[n.pk for n in level]).exclude(
                pk__in=[n.pk for n in found]
            )
        )
    return found


def case_delete(*, notification: Notification, now: datetime.datetime) -> bool:
    """Delete a case the policy no longer keeps: its notifications (the case and those merged
    into it), documents, clocks, consideration, decision, review with its action plan and
    lessons, and their files; the child's details leave their history. Checked again under a
    lock (False when it is no longer due). A record that still needs the case (a child death
    the panel referred to case review) stops it: `ProtectedError`, nothing deleted."""
    with transaction.atomic():
        case = cases_due(now).select_for_update().filter(pk=notification.pk).first()
        if case is None:
            return False
        notifications = _case_notifications(case)
        files = [
            (a.file.storage, a.file.name)
            for a in Attachment.objects.filter(notification__in=notifications)
            if a.file
        ]
        for review in Review.objects.filter(notification__in=notifications):
            if review.final_report:
                files.append((review.final_report.storage, review.final_report.name))
            delete_with_history(review)
        for decision in Decision.objects.filter(notification__in=notifications):
            delete_with_history(decision)
        for each in notifications:
            delete_with_history(each)
        delete_files_on_commit(files)
    return True


# Registration ----------------------------------------------------------------------------------


def register() -> None:
    """Called from the app's `ready()`."""
    for model, fields in CHILD_DETAILS.items():
        register_child_details(model, fields, names_in_repr=model in NAMES_IN_REPR)
    register_retention(
        key="casereview-drafts",
        label="Serious incident notification drafts",
        period=lambda: (
            f"{settings.DRAFT_EXPIRY_DAYS} days after their last change, their author reminded "
            f"{settings.DRAFT_EXPIRY_REMINDER_DAYS} days before"
        ),
        due=drafts_expired,
        delete=lambda draft, now: draft_expire(notification=draft, now=now),
        reference=draft_reference,
        to_remind=drafts_to_remind,
        remind=lambda draft, now: draft_expiry_remind(notification_pk=draft.pk, now=now),
    )
    register_retention(
        key="casereview-cases",
        label="Serious incident notifications and their reviews",
        period=lambda: (
            f"{settings.RETENTION_CASE_REVIEW_YEARS} years after the last notification of the "
            "case was submitted"
        ),
        due=cases_due,
        delete=lambda case, now: case_delete(notification=case, now=now),
        reference=lambda case: f"{case.reference}, submitted {long_date(case.submitted_at)}",
    )
