"""Helpers shared by the tests of reviews, action plans and lessons (no tests of its own)."""

from __future__ import annotations

import datetime

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model
from django.utils import timezone

from casereview.models import ClockKind, Review
from casereview.services import clocks
from tests.casereview.factories import review_type

PDF = b"%PDF-1.4\n%final report\n"
CASE_TEAM = ["secretariat", "case_review_member"]
NOT_CASE_TEAM = ["board_chair", "group_chair", "member", "agency_staff", "cdop_member", "outsider"]


def days(n: int) -> datetime.date:
    """`n` days from today (negative: ago)."""
    return timezone.localdate() + datetime.timedelta(days=n)


def date_fields(name: str, day: datetime.date | None) -> dict[str, str]:
    """A GOV.UK date input's three parts, as a form posts them."""
    if day is None:
        return {f"{name}_0": "", f"{name}_1": "", f"{name}_2": ""}
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


def pdf(name: str = "final-report.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def with_decision_clock(review: Review, *, decided_on: datetime.date | None = None) -> Review:
    """Start the review's decision clock, as the board chair's decision does."""
    clocks.clock_start_decision(
        notification=review.notification,
        review_type=review_type(review.review_type.code),
        decided_on=decided_on or review.started_on,
    )
    return review


def decision_clock(review: Review):
    return review.notification.clocks.get(kind=ClockKind.DECISION)


def access_entries(obj: Model, actor) -> int:
    """How many times `actor` has been logged as seeing `obj`."""
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj),
        object_pk=str(obj.pk),
        action=LogEntry.Action.ACCESS,
        actor=actor,
    ).count()


def name_the_child(review: Review, first: str = "Zephyrine", last: str = "Quillfeather") -> None:
    """Give the review's child a name no person in the tests has, so that a page or email can
    be searched for it without a chance match with a user's name."""
    notification = review.notification
    type(notification).objects.filter(pk=notification.pk).update(
        first_name=first, last_name=last, nhs_number="9434765919"
    )
    notification.refresh_from_db()
