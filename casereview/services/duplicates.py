"""Possible duplicates: a newly submitted notification about a child already notified.

A match is the same NHS number, or else the same first name, last name and date of birth (case,
spacing and the way accents are encoded set aside: `child_name_key`), on a notification
submitted before it whose incident falls within `CASEREVIEW_DUPLICATE_WINDOW_DAYS` of this
one's. Drafts and merged notifications never match.

The secretariat resolves each flag once: the same child with different incidents (linked), the
same incident (the later notification is merged into the earlier, which carries on; the later
one keeps its answers and documents, and its deadlines stop chasing anyone), or not the same
child.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from hscb.lib import reminders
from hscb.models import User

from ..models import (
    DuplicateStatus,
    MatchReason,
    Notification,
    NotificationStatus,
    PossibleDuplicate,
)

NOTE_LIMIT = 2000


def duplicates_flag(*, notification: Notification) -> list[PossibleDuplicate]:
    """Flag the earlier notifications this one may duplicate. Called inside the submission's
    transaction; safe to call twice (a pair is flagged once)."""
    window = datetime.timedelta(days=settings.CASEREVIEW_DUPLICATE_WINDOW_DAYS)
    earlier = (
        Notification.objects.submitted()
        .exclude(pk=notification.pk)
        .exclude(status=NotificationStatus.MERGED)
        .filter(
            incident_date__gte=notification.incident_date - window,
            incident_date__lte=notification.incident_date + window,
        )
    )
    by_nhs = Q(nhs_number=notification.nhs_number) if notification.nhs_number else Q(pk__in=[])
    by_name = Q(pk__in=[])
    if notification.date_of_birth and notification.name_key:
        by_name = Q(date_of_birth=notification.date_of_birth, name_key=notification.name_key)
    matches = earlier.filter(by_nhs | by_name).order_by("submitted_at", "pk")
    flagged = []
    for match in matches:
        same_nhs = bool(notification.nhs_number) and match.nhs_number == notification.nhs_number
        flag, _ = PossibleDuplicate.objects.get_or_create(
            notification=notification,
            match=match,
            defaults={"reason": MatchReason.NHS_NUMBER if same_nhs else MatchReason.NAME_AND_DOB},
        )
        flagged.append(flag)
    return flagged


# Resolving a possible duplicate (the secretariat) -------------------------------------------

RESOLUTIONS = (DuplicateStatus.LINKED, DuplicateStatus.MERGED, DuplicateStatus.NOT_DUPLICATE)


def _newer_and_older(flag: PossibleDuplicate) -> tuple[Notification, Notification]:
    """The pair's later submission first: that is the one merged into the other."""
    pair = sorted(
        (flag.notification, flag.match), key=lambda n: (n.submitted_at or n.created_at, n.pk)
    )
    return pair[1], pair[0]


def _check_merge(newer: Notification, older: Notification) -> None:
    if newer.status == NotificationStatus.DECIDED:
        raise ValidationError(
            {
                "resolution": [
                    f"The board chair has already decided on {newer.reference}, the later "
                    "notification: it cannot be merged. Link the two instead"
                ]
            }
        )
    if newer.status == NotificationStatus.MERGED:
        raise ValidationError(
            {"resolution": [f"{newer.reference} has already been merged into another case"]}
        )
    if newer.status == NotificationStatus.CONSIDERED or (
        newer.panel_notified_on and not older.panel_notified_on
    ):
        # Merging would strand the later one's consideration or its running rapid review.
        raise ValidationError(
            {
                "resolution": [
                    f"{newer.reference}, the later notification, has gone further than "
                    f"{older.reference} (the national panel notified, or the subgroup's "
                    "consideration recorded): it cannot be merged into it. Link the two instead"
                ]
            }
        )
    if older.status == NotificationStatus.MERGED:
        raise ValidationError(
            {
                "resolution": [
                    f"{older.reference} has itself been merged into another case: merge "
                    f"{newer.reference} into that one, or link them"
                ]
            }
        )


def _merge(newer: Notification, older: Notification) -> None:
    """The later notification joins the earlier one: it stops (its deadlines chase nobody) and
    points to the case that carries on, whose page links to it.

    Nothing of it is moved: its answers and documents stay its notifying agency's, who still see
    them, and never become visible to the other notification's agency."""
    newer.merge()
    newer.merged_into = older
    newer.save(update_fields=["status", "merged_into", "updated_at"])
    for clock in newer.clocks.filter(met_on__isnull=True):
        reminders.stop(clock)
        clock.save(update_fields=["reminder_next_on"])


def _already_resolved(flag: PossibleDuplicate) -> str:
    by = ""
    if flag.resolved_by is not None:
        by = f" by {flag.resolved_by.get_full_name() or flag.resolved_by.email}"
    when = f" on {date_format(timezone.localdate(flag.resolved_at))}" if flag.resolved_at else ""
    return (
        f"This possible duplicate was resolved{by}{when} "
        f"({flag.get_status_display().lower()}): it cannot be resolved twice"
    )


def duplicate_resolve(
    *, duplicate: PossibleDuplicate, resolution: str, note: str, by: User
) -> PossibleDuplicate:
    """The secretariat's answer to a possible duplicate, given once: the same child with
    different incidents (linked), the same incident (the later notification merged into the
    earlier), or not the same child."""
    if not by.has_perm("casereview.resolve_duplicates", duplicate):
        raise PermissionDenied("Only the secretariat resolves possible duplicates.")
    errors: dict[str, list[str]] = {}
    if resolution not in RESOLUTIONS:
        errors["resolution"] = ["Choose linked, merged or not the same child"]
    note = (note or "").strip()
    if "\x00" in note:
        errors["note"] = ["The note must not contain null characters"]
    elif len(note) > NOTE_LIMIT:
        errors["note"] = [f"The note must be {NOTE_LIMIT:,} characters or fewer"]
    try:
        with transaction.atomic():
            flag = (
                # Only the flag's row is locked: PostgreSQL cannot lock the outer join's side.
                PossibleDuplicate.objects.select_for_update(of=("self",))
                .select_related("resolved_by")
                .get(pk=duplicate.pk)
            )
            if flag.status != DuplicateStatus.OPEN:
                raise ValidationError(_already_resolved(flag))
            if errors:
                raise ValidationError(errors)
            notifications = {
                n.pk: n
                for n in Notification.objects.select_for_update().filter(
                    pk__in=[flag.notification_id, flag.match_id]
                )
            }
            flag.notification = notifications[flag.notification_id]
            flag.match = notifications[flag.match_id]
            if resolution == DuplicateStatus.MERGED:
                newer, older = _newer_and_older(flag)
                _check_merge(newer, older)
                _merge(newer, older)
            flag.status = resolution
            flag.note = note
            flag.resolved_by = by
            flag.resolved_at = timezone.now()
            flag.save(update_fields=["status", "note", "resolved_by", "resolved_at"])
    except (ConcurrentTransition, TransitionNotAllowed):
        raise ValidationError(
            "Someone else changed one of these cases while you were working: nothing was saved"
        ) from None
    return flag
