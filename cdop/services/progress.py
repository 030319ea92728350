"""A case's progress through the panel (DESIGN.md §5): the joint agency (rapid) response to an
unexpected death, information asked of each agency and received, the child death review
meeting, and the panel meeting that reviews it; and a possible duplicate found not to be the
same child.

Each service checks its rules whatever page calls it and refuses a breach with a
`ValidationError` naming the field: dates neither in the future nor before the death (nor
before what they follow), steps in the case's order, nothing recorded twice. Writes are in one
transaction with the case's row locked; a case someone else moved on meanwhile is refused with
a message, never a crash. django-auditlog keeps who changed what and when.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from hscb.lib.checks import SHORT_LIMIT, check_date, check_text, locked, long_date
from hscb.models import Agency, GroupFunction, Meeting, MeetingStatus, User

from ..models import AgencyInformation, ChildDeath, DeathDuplicate, DeathStatus

WORK = "cdop.work_on_death"
CHANGED = "Someone else changed this case while you were working on it: nothing was saved."


# Checks shared by the panel's services ------------------------------------------------------


def _authorise(by: User, death: ChildDeath) -> None:
    if not by.has_perm(WORK, death):
        raise PermissionDenied(
            "Only the Child Death Overview Panel and the secretariat work on child deaths."
        )


def check_open(death: ChildDeath) -> None:
    """Refuse work on a case that is closed, or reviewed by another area's panel."""
    if death.status == DeathStatus.CLOSED:
        raise ValidationError(f"{death.reference} is closed: its review is complete")
    if death.status == DeathStatus.ELSEWHERE:
        raise ValidationError(
            f"{death.reference} is reviewed by another area's panel: nothing more is recorded "
            "on it here"
        )


def _refresh(death: ChildDeath) -> None:
    """Show the page again with the case as it now is."""
    death.refresh_from_db()


# The joint agency (rapid) response --------------------------------------------------------


def death_record_jar(
    *,
    death: ChildDeath,
    started_on: datetime.date | None,
    lead: str,
    summary: str,
    by: User,
) -> ChildDeath:
    """Record (or correct) the joint agency response to an unexpected death: the day it
    started, who led it, and what it found. An expected death has none."""
    _authorise(by, death)
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    lead = check_text(errors, "lead", lead, what="who led the response", limit=SHORT_LIMIT)
    summary = check_text(errors, "summary", summary, what="a summary of the response")
    try:
        with transaction.atomic():
            case = locked(death)
            check_open(case)
            if not case.is_unexpected:
                raise ValidationError(
                    f"The death of {case.reference} was expected: a joint agency response is "
                    "only for an unexpected death"
                )
            check_date(
                errors,
                "started_on",
                started_on,
                what="the date the response started",
                today=today,
                not_before=case.died_on,
                not_before_what="the date of death",
            )
            if errors:
                raise ValidationError(errors)
            case.jar_started_on = started_on
            case.jar_lead = lead
            case.jar_summary = summary
            case.save(update_fields=["jar_started_on", "jar_lead", "jar_summary"])
    except ConcurrentTransition:
        raise ValidationError(CHANGED) from None
    return case


# Information from agencies ----------------------------------------------------------------


def agency_information_request(
    *,
    death: ChildDeath,
    agency: Agency | None,
    requested_on: datetime.date | None,
    by: User,
) -> AgencyInformation:
    """Ask an agency for what it knows of the child: once per agency. The first request starts
    the gathering of information."""
    _authorise(by, death)
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    if agency is None:
        errors["agency"] = ["Choose the agency asked for information"]
    elif not agency.is_active:
        errors["agency"] = [f"{agency.name} no longer takes part: choose another agency"]
    try:
        with transaction.atomic():
            case = locked(death)
            check_open(case)
            check_date(
                errors,
                "requested_on",
                requested_on,
                what="the date the information was asked for",
                today=today,
                not_before=case.died_on,
                not_before_what="the date of death",
            )
            if agency is not None and "agency" not in errors:
                earlier = AgencyInformation.objects.filter(death=case, agency=agency).first()
                if earlier is not None:
                    errors["agency"] = [
                        f"{agency.name} was already asked for information on "
                        f"{long_date(earlier.requested_on)}"
                    ]
            if errors:
                raise ValidationError(errors)
            report = AgencyInformation.objects.create(
                death=case, agency=agency, requested_on=requested_on
            )
            if case.status == DeathStatus.NOTIFIED:
                case.gather()
                case.save(update_fields=["status"])
    except IntegrityError:
        raise ValidationError(
            {"agency": [f"{agency.name} was already asked for information"]}
        ) from None
    except (ConcurrentTransition, TransitionNotAllowed):
        _refresh(death)
        raise ValidationError(CHANGED) from None
    death.status = case.status
    return report


def agency_information_receive(
    *, report: AgencyInformation, received_on: datetime.date | None, by: User
) -> AgencyInformation:
    """Record the day an agency's information came in: once, not before it was asked for."""
    _authorise(by, report.death)
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    with transaction.atomic():
        case = locked(report.death)
        check_open(case)
        current = AgencyInformation.objects.select_for_update().get(pk=report.pk)
        if current.received_on is not None:
            raise ValidationError(
                f"The information from {report.agency.name} was already recorded as received "
                f"on {long_date(current.received_on)}"
            )
        check_date(
            errors,
            "received_on",
            received_on,
            what="the date the information was received",
            today=today,
            not_before=current.requested_on,
            not_before_what="the date it was asked for",
        )
        if errors:
            raise ValidationError(errors)
        current.received_on = received_on
        current.save(update_fields=["received_on"])
    report.received_on = received_on
    return report


# The child death review meeting and the panel ---------------------------------------------


def death_record_review_meeting(
    *, death: ChildDeath, held_on: datetime.date | None, by: User
) -> ChildDeath:
    """Record the day the child death review meeting was held: once, before the case is
    listed for the panel."""
    _authorise(by, death)
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    try:
        with transaction.atomic():
            case = locked(death)
            check_open(case)
            if case.review_meeting_on is not None:
                raise ValidationError(
                    "The child death review meeting was already recorded as held on "
                    f"{long_date(case.review_meeting_on)}"
                )
            if case.status == DeathStatus.PANEL:
                raise ValidationError(
                    f"{case.reference} is already listed for the panel: the child death review "
                    "meeting comes before it"
                )
            check_date(
                errors,
                "held_on",
                held_on,
                what="the date of the meeting",
                today=today,
                not_before=case.died_on,
                not_before_what="the date of death",
            )
            if errors:
                raise ValidationError(errors)
            case.review_meeting_on = held_on
            case.hold_review_meeting()
            case.save(update_fields=["review_meeting_on", "status"])
    except (ConcurrentTransition, TransitionNotAllowed):
        _refresh(death)
        raise ValidationError(CHANGED) from None
    return case


def death_list_for_panel(*, death: ChildDeath, meeting: Meeting | None, by: User) -> ChildDeath:
    """List the case for a meeting of the Child Death Overview Panel (or move it to another):
    once its child death review meeting has been held. The case then shows on the meeting's
    agenda links."""
    _authorise(by, death)
    errors: dict[str, list[str]] = {}
    if meeting is None:
        errors["meeting"] = ["Choose the panel meeting"]
    elif meeting.group.function != GroupFunction.CHILD_DEATH_OVERVIEW:
        errors["meeting"] = ["Choose a meeting of the Child Death Overview Panel"]
    elif meeting.status == MeetingStatus.CANCELLED:
        errors["meeting"] = ["That meeting was cancelled: choose another"]
    try:
        with transaction.atomic():
            case = locked(death)
            check_open(case)
            if case.status in (DeathStatus.NOTIFIED, DeathStatus.GATHERING):
                raise ValidationError(
                    f"Record the child death review meeting on {case.reference} first: a case "
                    "is listed for the panel only after its child death review meeting"
                )
            if meeting is not None and not errors:
                if case.panel_meeting_id == meeting.pk:
                    errors["meeting"] = [f"{case.reference} is already listed for this meeting"]
                elif timezone.localdate(meeting.starts_at) < case.died_on:
                    errors["meeting"] = [
                        f"Choose a meeting on or after the date of death, {long_date(case.died_on)}"
                    ]
            if errors:
                raise ValidationError(errors)
            case.panel_meeting = meeting
            case.list_for_panel()
            case.save(update_fields=["panel_meeting", "status"])
    except (ConcurrentTransition, TransitionNotAllowed):
        _refresh(death)
        raise ValidationError(CHANGED) from None
    return case


# Possible duplicates ----------------------------------------------------------------------


def duplicate_dismiss(*, duplicate: DeathDuplicate, by: User) -> DeathDuplicate:
    """The coordinator has checked: the two notifications are not of the same child."""
    _authorise(by, duplicate.death)
    with transaction.atomic():
        flag = DeathDuplicate.objects.select_for_update().get(pk=duplicate.pk)
        if flag.dismissed_at is not None:
            raise ValidationError(
                "This possible duplicate was already dismissed on "
                f"{long_date(timezone.localdate(flag.dismissed_at))}"
            )
        flag.dismissed_at = timezone.now()
        flag.save(update_fields=["dismissed_at"])
    duplicate.dismissed_at = flag.dismissed_at
    return duplicate
