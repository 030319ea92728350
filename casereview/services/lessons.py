"""Lessons learnt from a review: recorded and changed by the case team, never holding the
child's names, date of birth or NHS number (any record of the child counts), and read beyond the
case team only once the secretariat has approved them."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from hscb.lib.checks import check_text
from hscb.lib.child_details import details_message, find_child_details
from hscb.models import Agency, User

from ..models import (
    DuplicateStatus,
    Lesson,
    LessonStatus,
    Notification,
    PossibleDuplicate,
    PracticeArea,
    Review,
)
from .reviews import Errors, _add, _authorise, _raise

APPROVE_LESSONS = "casereview.approve_lessons"
RETURN_REASON_MAX = 2000


def child_details_in(review: Review, text: str) -> list[str]:
    """The kinds of the review's child's details ("name", "date of birth", "NHS number") that
    `text` holds. Every record of the child counts: the notification, those merged into it
    (the same incident) and those the secretariat linked to it as the same child."""
    notification = review.notification
    linked = PossibleDuplicate.objects.filter(status=DuplicateStatus.LINKED)
    records = Notification.objects.filter(
        Q(pk=notification.pk)
        | Q(merged_into=notification.pk)
        | Q(pk__in=linked.filter(notification=notification.pk).values("match"))
        | Q(pk__in=linked.filter(match=notification.pk).values("notification"))
    ).values_list("first_name", "last_name", "other_names", "date_of_birth", "nhs_number")
    names: list[str] = []
    dates: list[datetime.date | None] = []
    numbers: list[str] = []
    for first, last, other, born, nhs in records:
        names += [first, last, other]
        dates.append(born)
        numbers.append(nhs)
    return find_child_details(text, names=names, dates_of_birth=dates, nhs_numbers=numbers)


def lesson_details_message(found: list[str], where: str) -> str:
    """What to take out, by kind: never the child's details themselves, which would then be
    on the page, in the logs and in any error report."""
    return (
        f"Remove {details_message(found)} from the {where}. Once approved, lessons are read by "
        "everyone with a board role: do not include names, dates of birth, NHS numbers or "
        "other details that could identify the child or family"
    )


def _check_lesson(
    errors: Errors,
    review: Review,
    *,
    theme: str,
    lesson: str,
    practice_area: str,
    agencies: Sequence[Agency],
    kept_agencies: Sequence[int] = (),
) -> tuple[str, str]:
    """The lesson's answers checked, and trimmed: none may hold the child's details. An
    agency that no longer takes part is refused unless the lesson already named it."""
    theme = check_text(errors, "theme", theme, limit=120, what="the theme")
    text = check_text(errors, "lesson", lesson, limit=5000, what="the lesson")
    if practice_area not in PracticeArea.values:
        _add(errors, "practice_area", "Choose the area of practice")
    closed = [a.name for a in agencies if not a.is_active and a.pk not in kept_agencies]
    if closed:
        _add(errors, "agencies", f"Choose agencies that still take part: not {', '.join(closed)}")
    for field, value, where in (("theme", theme, "theme"), ("lesson", text, "lesson")):
        if field not in errors:
            found = child_details_in(review, value)
            if found:
                _add(errors, field, lesson_details_message(found, where))
    return theme, text


def lesson_create(
    *,
    review: Review,
    by: User,
    theme: str,
    lesson: str,
    practice_area: str,
    agencies: Sequence[Agency] = (),
) -> Lesson:
    """Record a lesson learnt from the review. It must not hold the child's names, date of
    birth or NHS number, and waits for the secretariat's approval before anyone beyond the case
    team reads it."""
    _authorise(by, review)
    errors: Errors = {}
    theme, text = _check_lesson(
        errors, review, theme=theme, lesson=lesson, practice_area=practice_area, agencies=agencies
    )
    _raise(errors)
    with transaction.atomic():
        recorded = Lesson.objects.create(
            review=review, theme=theme, lesson=text, practice_area=practice_area, recorded_by=by
        )
        recorded.agencies.set(agencies)
    return recorded


def _lesson_changed(lesson: Lesson) -> ValidationError:
    lesson.refresh_from_db()
    return ValidationError(
        "Someone else changed this lesson while you were working on it: it is now "
        f"“{lesson.get_status_display().lower()}”. Nothing has been saved. Check the lesson and "
        "try again."
    )


def lesson_update(
    *,
    lesson: Lesson,
    by: User,
    theme: str,
    text: str,
    practice_area: str,
    agencies: Sequence[Agency] = (),
) -> Lesson:
    """Change a lesson (the case team's, as when the secretariat sent it back): the same rules
    as a new one, and a changed lesson waits for the secretariat's approval again, off the
    lessons page until then. Nothing changed, nothing is written, except that a lesson sent
    back is put to the secretariat again."""
    review = lesson.review
    _authorise(by, review)
    errors: Errors = {}
    kept = list(lesson.agencies.values_list("pk", flat=True))
    theme, text = _check_lesson(
        errors,
        review,
        theme=theme,
        lesson=text,
        practice_area=practice_area,
        agencies=agencies,
        kept_agencies=kept,
    )
    _raise(errors)
    values = {"theme": theme, "lesson": text, "practice_area": practice_area}
    changed = [name for name, value in values.items() if getattr(lesson, name) != value]
    new_agencies = {a.pk for a in agencies} != set(kept)
    # Saved unchanged, a lesson sent back goes to the secretariat again as it is.
    if not changed and not new_agencies and lesson.status != LessonStatus.RETURNED:
        return lesson
    try:
        with transaction.atomic():
            for name in changed:
                setattr(lesson, name, values[name])
            lesson.resubmit()
            lesson.decided_by = None
            lesson.decided_at = None
            lesson.return_reason = ""
            lesson.save(
                update_fields=[*changed, "status", "decided_by", "decided_at", "return_reason"]
            )
            if new_agencies:
                lesson.agencies.set(agencies)
    except ConcurrentTransition:
        raise _lesson_changed(lesson) from None
    return lesson


def _authorise_approval(by: User) -> None:
    if not by.has_perm(APPROVE_LESSONS):
        raise PermissionDenied("Only the secretariat approves lessons.")


def lesson_approve(*, lesson: Lesson, by: User) -> Lesson:
    """The secretariat approves a lesson waiting for approval: from now it is on the lessons
    page. It is checked again for the child's details first (lessons recorded before the check
    was complete may hold some): one that holds them is refused, to be sent back instead."""
    _authorise_approval(by)
    if lesson.status != LessonStatus.PENDING:
        raise ValidationError(
            f"Only a lesson waiting for approval can be approved: this one is "
            f"“{lesson.get_status_display().lower()}”"
        )
    found = child_details_in(lesson.review, f"{lesson.theme}\n{lesson.lesson}")
    if found:
        raise ValidationError(
            f"This lesson holds {details_message(found)}: send it back to the case team with "
            "the reason instead"
        )
    try:
        with transaction.atomic():
            lesson.approve()
            lesson.decided_by = by
            lesson.decided_at = timezone.now()
            lesson.return_reason = ""
            lesson.save(update_fields=["status", "decided_by", "decided_at", "return_reason"])
    except (ConcurrentTransition, TransitionNotAllowed):
        raise _lesson_changed(lesson) from None
    return lesson


def lesson_send_back(*, lesson: Lesson, by: User, reason: str) -> Lesson:
    """The secretariat sends a lesson back to the case team with the reason (an approved one
    leaves the lessons page). The case team sees the reason on the review's page and changes
    the lesson, which then waits for approval again."""
    _authorise_approval(by)
    errors: Errors = {}
    reason = check_text(
        errors, "reason", reason, limit=RETURN_REASON_MAX, what="why the lesson is sent back"
    )
    _raise(errors)
    if lesson.status not in (LessonStatus.PENDING, LessonStatus.APPROVED):
        raise ValidationError(
            "This lesson has already been sent back: the case team will change it, and it will "
            "then wait for approval again"
        )
    try:
        with transaction.atomic():
            lesson.send_back()
            lesson.decided_by = by
            lesson.decided_at = timezone.now()
            lesson.return_reason = reason
            lesson.save(update_fields=["status", "decided_by", "decided_at", "return_reason"])
    except (ConcurrentTransition, TransitionNotAllowed):
        raise _lesson_changed(lesson) from None
    return lesson
