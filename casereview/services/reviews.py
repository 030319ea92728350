"""Every write to a review in progress: its lead reviewer and terms of reference, milestones,
agency reports, the final report, the board's adoption and the publication; and the action plan
(recommendations and their actions, each change of which is a dated `PlanActionUpdate`). Lessons
learnt are in `lessons.py`.

The rules hold whatever page calls them: no date in the future where something has happened,
no date before the thing it follows; the final report received before the board adopts it, and
adopted before it is published (the review's FSM, with `ConcurrentTransitionMixin` refusing a
stale move); an agency asked once per review; an action's owner told and reminded, its ladder
re-armed when its due date or owner changes and stopped when it is complete; a stale update to
an action refused rather than written over a newer one.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django_fsm import ConcurrentTransition, TransitionNotAllowed, can_proceed

from hscb.lib import reminders
from hscb.lib.checks import check_text, long_date, queue_after_commit
from hscb.lib.email import send_templated_email
from hscb.lib.uploads import clean_file_name, validate_document
from hscb.models import Agency, Rag, User
from hscb.services.actions import check_due_date

from ..models import (
    AgencyReport,
    ClockKind,
    Milestone,
    PlanAction,
    PlanActionStatus,
    PlanActionUpdate,
    Recommendation,
    Review,
    ReviewStatus,
)
from . import clocks

INDEPENDENCE_MESSAGE = "Confirm the lead reviewer is independent of the agencies involved"
EVIDENCE_MESSAGE = "Enter the evidence that the action is complete"
# The ladder's state that `reminders.rearm` and `reminders.stop` set, to be saved after them.
REARMED_FIELDS = ("reminder_last_sent", "reminder_next_on")
STOPPED_FIELDS = ("reminder_next_on",)
STARTED = "the day the review started"
MANAGE = "casereview.manage_review"
# Furthest ahead a milestone or agency report may be due: further is almost certainly a slip.
LATEST_AHEAD = datetime.timedelta(days=3 * 366)

Errors = dict[str, list[str]]


class PlanActionChanged(Exception):
    """Someone else updated the action since the person began: nothing was saved."""

    def __init__(self, action: PlanAction) -> None:
        self.action = action
        super().__init__(
            "Someone else updated this action while you were writing: it is now "
            f"{action.get_status_display().lower()}, RAG {action.get_rag_display().lower()}. "
            "Your update has not been saved. Check the action and submit your update again."
        )


def _name(user: User | None) -> str:
    if user is None:
        return "no-one"
    return user.get_full_name() or user.email


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _raise(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)


def _authorise(by: User, review: Review) -> None:
    """Refuse anyone but the case team, whatever page (or script) calls the service."""
    if not by.has_perm(MANAGE, review):
        raise PermissionDenied("Only the Case Review subgroup and the secretariat run reviews.")


def _not_future(
    errors: Errors, field: str, day: datetime.date | None, what: str, today: datetime.date
) -> None:
    if day is not None and day > today:
        _add(errors, field, f"{what} must be today or in the past")


def _not_before(
    errors: Errors,
    field: str,
    day: datetime.date | None,
    earliest: datetime.date | None,
    what: str,
    than: str,
) -> None:
    if day is not None and earliest is not None and day < earliest:
        _add(errors, field, f"{what} must be on or after {than} ({long_date(earliest)})")


# How the messages speak of each date something happened on.
HAPPENED = {
    "terms_agreed_on": "The date the terms were agreed",
    "completed_on": "The date it was completed",
    "requested_on": "The date it was requested",
    "received_on": "The date it was received",
    "adopted_on": "The date it was adopted",
    "published_on": "The date it was published",
}
REQUESTED = "the date it was requested"


def _happened(
    errors: Errors,
    field: str,
    day: datetime.date | None,
    today: datetime.date,
    *,
    after: datetime.date | None,
    than: str = STARTED,
) -> None:
    """A date something happened on: not to come, and not before what it follows."""
    _not_future(errors, field, day, HAPPENED[field], today)
    _not_before(errors, field, day, after, HAPPENED[field], than)


def _save_changed(obj, values: dict[str, object]) -> None:
    """Write only the fields whose values change, so a change made meanwhile to another field
    is kept."""
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        with transaction.atomic():
            obj.save(update_fields=changed)


# The review's details -------------------------------------------------------------------------


def review_update(
    *,
    review: Review,
    by: User,
    lead_reviewer: str,
    lead_reviewer_organisation: str,
    lead_reviewer_independent: bool,
    terms_of_reference: str,
    terms_agreed_on: datetime.date | None,
) -> Review:
    """Record the lead reviewer (who must be confirmed independent of the agencies involved)
    and the terms of reference. Only the fields that changed are written, so a change made
    meanwhile to another part of the review is kept."""
    _authorise(by, review)
    today = timezone.localdate()
    errors: Errors = {}
    lead = check_text(
        errors,
        "lead_reviewer",
        lead_reviewer,
        limit=200,
        what="the lead reviewer's name",
        required=False,
    )
    organisation = check_text(
        errors,
        "lead_reviewer_organisation",
        lead_reviewer_organisation,
        limit=200,
        what="the lead reviewer's organisation",
        required=False,
    )
    terms = check_text(
        errors,
        "terms_of_reference",
        terms_of_reference,
        limit=20000,
        what="the terms of reference",
        required=terms_agreed_on is not None,
    )
    if lead and not lead_reviewer_independent:
        _add(errors, "lead_reviewer_independent", INDEPENDENCE_MESSAGE)
    if organisation and not lead:
        _add(errors, "lead_reviewer", "Enter the lead reviewer's name as well as the organisation")
    _happened(errors, "terms_agreed_on", terms_agreed_on, today, after=review.started_on)
    _raise(errors)
    values = {
        "lead_reviewer": lead,
        "lead_reviewer_organisation": organisation,
        "lead_reviewer_independent": bool(lead_reviewer_independent and lead),
        "terms_of_reference": terms,
        "terms_agreed_on": terms_agreed_on,
    }
    changed = [name for name, value in values.items() if getattr(review, name) != value]
    if not changed:
        return review
    for name in changed:
        setattr(review, name, values[name])
    with _writing(review):
        review.save(update_fields=changed)
    return review


@contextmanager
def _writing(review: Review) -> Iterator[None]:
    """One transaction for a change to the review. If someone else has moved the review on since
    it was read (`ConcurrentTransitionMixin` refuses the save), nothing is written, the review is
    read again, and the change is refused with what the review now is."""
    try:
        with transaction.atomic():
            yield
    except ConcurrentTransition:
        review.refresh_from_db()
        raise ValidationError(
            "Someone else changed this review while you were working on it: it is now "
            f"“{review.get_status_display().lower()}”. Nothing has been saved. Check the review "
            "and try again."
        ) from None


# Milestones -----------------------------------------------------------------------------------


def _check_milestone(
    *,
    review: Review,
    title: str,
    due_on: datetime.date,
    completed_on: datetime.date | None,
    today: datetime.date,
    errors: Errors,
) -> str:
    title = check_text(errors, "title", title, limit=200, what="the milestone")
    _not_before(errors, "due_on", due_on, review.started_on, "The due date", STARTED)
    if due_on > today + LATEST_AHEAD:
        _add(errors, "due_on", "The due date must be within the next 3 years")
    _happened(errors, "completed_on", completed_on, today, after=review.started_on)
    return title


def milestone_create(
    *,
    review: Review,
    by: User,
    title: str,
    due_on: datetime.date,
    completed_on: datetime.date | None = None,
) -> Milestone:
    """Add a milestone to the review's timetable."""
    _authorise(by, review)
    errors: Errors = {}
    title = _check_milestone(
        review=review,
        title=title,
        due_on=due_on,
        completed_on=completed_on,
        today=timezone.localdate(),
        errors=errors,
    )
    _raise(errors)
    with transaction.atomic():
        return Milestone.objects.create(
            review=review, title=title, due_on=due_on, completed_on=completed_on
        )


def milestone_update(
    *,
    milestone: Milestone,
    by: User,
    title: str,
    due_on: datetime.date,
    completed_on: datetime.date | None,
) -> Milestone:
    """Change a milestone, or record that it was completed."""
    _authorise(by, milestone.review)
    errors: Errors = {}
    title = _check_milestone(
        review=milestone.review,
        title=title,
        due_on=due_on,
        completed_on=completed_on,
        today=timezone.localdate(),
        errors=errors,
    )
    _raise(errors)
    _save_changed(milestone, {"title": title, "due_on": due_on, "completed_on": completed_on})
    return milestone


# Agency reports -------------------------------------------------------------------------------


def _already_asked(agency: Agency) -> str:
    return f"{agency.name} has already been asked for a report for this review"


def agency_report_create(
    *,
    review: Review,
    by: User,
    agency: Agency,
    requested_on: datetime.date,
    due_on: datetime.date,
) -> AgencyReport:
    """Record that an agency was asked for its report: once per agency per review."""
    _authorise(by, review)
    today = timezone.localdate()
    errors: Errors = {}
    if not agency.is_active:
        _add(errors, "agency", f"{agency.name} no longer takes part: choose an active agency")
    elif AgencyReport.objects.filter(review=review, agency=agency).exists():
        _add(errors, "agency", _already_asked(agency))
    _happened(errors, "requested_on", requested_on, today, after=review.started_on)
    _not_before(errors, "due_on", due_on, requested_on, "The due date", REQUESTED)
    if due_on > today + LATEST_AHEAD:
        _add(errors, "due_on", "The due date must be within the next 3 years")
    _raise(errors)
    try:
        with transaction.atomic():
            return AgencyReport.objects.create(
                review=review, agency=agency, requested_on=requested_on, due_on=due_on
            )
    except IntegrityError:  # asked at the same moment by someone else
        raise ValidationError({"agency": [_already_asked(agency)]}) from None


def agency_report_update(
    *,
    report: AgencyReport,
    by: User,
    received_on: datetime.date | None,
    note: str,
) -> AgencyReport:
    """Record when the agency's report came in (or clear a date entered by mistake), and a
    note."""
    _authorise(by, report.review)
    today = timezone.localdate()
    errors: Errors = {}
    note = check_text(errors, "note", note, limit=500, what="the note", required=False)
    _happened(errors, "received_on", received_on, today, after=report.requested_on, than=REQUESTED)
    _raise(errors)
    _save_changed(report, {"received_on": received_on, "note": note})
    return report


# The final report, adoption and publication ---------------------------------------------------


def _refuse_out_of_order(review: Review, transition, message: str) -> None:
    if not can_proceed(transition):
        raise ValidationError(message)


def _move(review: Review, transition, fields: list[str], message: str) -> None:
    """Run the FSM transition and save; a transition that is not allowed (now) is refused with
    `message`, a stale one with what the review has become."""
    try:
        transition()
    except TransitionNotAllowed:
        raise ValidationError(message) from None
    review.save(update_fields=["status", *fields])


def received_message(review: Review) -> str:
    if review.final_report_received_on:
        return (
            f"The final report was already received on {long_date(review.final_report_received_on)}"
        )
    return "The final report can only be received while the review is in progress"


def adopt_message(review: Review) -> str:
    if review.status == ReviewStatus.IN_PROGRESS:
        return "The board can only adopt the final report once it has been received"
    if review.adopted_on:
        return f"The board already adopted the final report on {long_date(review.adopted_on)}"
    return "The final report cannot be adopted now"


def publish_message(review: Review) -> str:
    if review.status in (ReviewStatus.IN_PROGRESS, ReviewStatus.REPORT_RECEIVED):
        return "The report can only be published once the board has adopted it"
    if review.published_on:
        return f"The report was already published on {long_date(review.published_on)}"
    return "The report cannot be published now"


def review_report_receive(
    *,
    review: Review,
    by: User,
    upload: UploadedFile,
    received_on: datetime.date,
) -> Review:
    """Store the lead reviewer's final report (a PDF, Word or Excel file under the size limit)
    and the day it came in; the review moves on to "final report received"."""
    _authorise(by, review)
    _refuse_out_of_order(review, review.receive_report, received_message(review))
    today = timezone.localdate()
    errors: Errors = {}
    try:
        validate_document(upload)
    except ValidationError as error:
        errors["final_report"] = list(error.messages)
    _happened(errors, "received_on", received_on, today, after=review.started_on)
    _raise(errors)
    with _writing(review):
        review.final_report = upload
        review.final_report_name = clean_file_name(upload.name or "", default="final-report")
        review.final_report_received_on = received_on
        try:
            _move(
                review,
                review.receive_report,
                ["final_report", "final_report_name", "final_report_received_on"],
                received_message(review),
            )
        except Exception:
            # The file reached storage before the row failed to save: leave nothing behind.
            if review.final_report.name:
                review.final_report.storage.delete(review.final_report.name)
            raise
    return review


def review_adopt(*, review: Review, by: User, adopted_on: datetime.date) -> Review:
    """Record the day the board adopted the final report."""
    _authorise(by, review)
    _refuse_out_of_order(review, review.adopt, adopt_message(review))
    errors: Errors = {}
    _happened(
        errors,
        "adopted_on",
        adopted_on,
        timezone.localdate(),
        after=review.final_report_received_on,
        than="the day the final report was received",
    )
    _raise(errors)
    with _writing(review):
        review.adopted_on = adopted_on
        _move(review, review.adopt, ["adopted_on"], adopt_message(review))
    return review


def review_publish(*, review: Review, by: User, published_on: datetime.date) -> Review:
    """Record the day the report was published: the review is done, and its decision's clock
    (the review completed within its deadline) is met."""
    _authorise(by, review)
    _refuse_out_of_order(review, review.publish, publish_message(review))
    errors: Errors = {}
    _happened(
        errors,
        "published_on",
        published_on,
        timezone.localdate(),
        after=review.adopted_on,
        than="the day the board adopted it",
    )
    _raise(errors)
    with _writing(review):
        review.published_on = published_on
        _move(review, review.publish, ["published_on"], publish_message(review))
        clocks.clock_meet(
            notification=review.notification, kind=ClockKind.DECISION, on=published_on
        )
    return review


# The action plan ------------------------------------------------------------------------------


def recommendation_create(*, review: Review, by: User, text: str) -> Recommendation:
    """Add a recommendation, numbered next after the review's others."""
    _authorise(by, review)
    errors: Errors = {}
    text = check_text(errors, "text", text, limit=5000, what="the recommendation")
    _raise(errors)
    with transaction.atomic():
        # Lock the review so that two recommendations added at once get different numbers.
        Review.objects.select_for_update().filter(pk=review.pk).first()
        return Recommendation.objects.create(
            review=review, number=next_recommendation_number(review), text=text
        )


def next_recommendation_number(review: Review) -> int:
    return (review.recommendations.aggregate(top=Max("number"))["top"] or 0) + 1


def _check_owner(errors: Errors, owner: User) -> None:
    if not owner.is_active:
        _add(errors, "owner", "Choose someone whose account is open: this person's is closed")


def _check_due(errors: Errors, due_date: datetime.date) -> None:
    try:
        check_due_date(due_date)
    except ValidationError as error:
        for message in error.message_dict["due_date"]:
            _add(errors, "due_date", message)


def plan_action_create(
    *,
    recommendation: Recommendation,
    by: User,
    description: str,
    lead_agency: Agency,
    owner: User,
    due_date: datetime.date,
    rag: str = Rag.AMBER,
) -> PlanAction:
    """Add an action to a recommendation: its owner is told it is theirs (unless they are the
    one recording it) and reminded as its due date comes near; the first entry of its history
    records it."""
    from casereview.tasks.reviews import send_plan_action_assigned

    _authorise(by, recommendation.review)
    errors: Errors = {}
    description = check_text(errors, "description", description, limit=5000, what="the action")
    if not lead_agency.is_active:
        _add(errors, "lead_agency", f"{lead_agency.name} no longer takes part: choose another")
    _check_owner(errors, owner)
    _check_due(errors, due_date)
    if rag not in Rag.values:
        _add(errors, "rag", "Choose red, amber or green")
    group = clocks.case_review_group()
    if group is None:
        _add(errors, "__all__", "The board has no Case Review subgroup: load the board first")
    _raise(errors)
    with transaction.atomic():
        action = PlanAction(
            recommendation=recommendation,
            description=description,
            lead_agency=lead_agency,
            owner=owner,
            due_date=due_date,
            rag=rag,
            status=PlanActionStatus.OPEN,
            group=group,
        )
        reminders.rearm(action)
        action.save()
        update = PlanActionUpdate.objects.create(
            action=action,
            rag=action.rag,
            status=action.status,
            note=f"Recorded and given to {_name(owner)}, due {long_date(due_date)}.",
            by=by,
        )
        if owner.pk != by.pk:
            queue_after_commit(send_plan_action_assigned, update.pk)
    return action


def latest_update_pk(action: PlanAction) -> int | None:
    """The newest entry of the action's history: the version a form was built from."""
    return (
        PlanActionUpdate.objects.filter(action_id=action.pk)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )


def plan_action_update(
    *,
    action: PlanAction,
    by: User,
    note: str,
    rag: str,
    status: str,
    evidence: str,
    seen_update: int | None,
    due_date: datetime.date | None = None,
    owner: User | None = None,
) -> PlanActionUpdate:
    """Record progress on an action: a note always, and its RAG, status and evidence as they
    now are; for the case team, a new due date or owner.

    `seen_update` is the newest history entry the person saw when they began: if the action
    has been updated since, `PlanActionChanged` is raised and nothing is saved (the row is
    locked while this is checked, so two updates cannot both pass). Only the fields that
    changed are written, so the reminder run's changes to the ladder are kept. Completing an
    action needs its evidence and stops its reminders; reopening it, or a new due date or owner,
    starts them again from the top of the ladder.
    """
    from casereview.tasks.reviews import send_plan_action_assigned

    if not by.has_perm("casereview.update_plan_action", action):
        raise PermissionDenied("Only the case team and the action's owner update an action.")
    today = timezone.localdate()
    errors: Errors = {}
    note = check_text(errors, "note", note, limit=5000, what="a progress note")
    evidence = check_text(
        errors, "evidence", evidence, limit=10000, what="the evidence", required=False
    )
    if rag not in Rag.values:
        _add(errors, "rag", "Choose red, amber or green")
    if status not in PlanActionStatus.values:
        _add(errors, "status", "Choose open or complete")
    elif status == PlanActionStatus.COMPLETE and not evidence and "evidence" not in errors:
        _add(errors, "evidence", EVIDENCE_MESSAGE)
    new_due = due_date if due_date is not None and due_date != action.due_date else None
    new_owner = owner if owner is not None and owner.pk != action.owner_id else None
    if (new_due or new_owner) and not by.has_perm(MANAGE, action.recommendation.review):
        raise PermissionDenied("Only the case team can change an action's due date or owner.")
    if new_due is not None:
        _check_due(errors, new_due)
    if new_owner is not None:
        _check_owner(errors, new_owner)
    _raise(errors)

    with transaction.atomic():
        current = PlanAction.objects.select_for_update().select_related("owner").get(pk=action.pk)
        if latest_update_pk(current) != seen_update:
            raise PlanActionChanged(current)
        lines = [note]
        changed: list[str] = []
        reopened = completed = False
        if rag != current.rag:
            current.rag = rag
            changed.append("rag")
        if evidence != current.evidence:
            current.evidence = evidence
            changed.append("evidence")
        if status != current.status:
            completed = status == PlanActionStatus.COMPLETE
            reopened = not completed
            current.status = status
            current.completed_on = today if completed else None
            changed += ["status", "completed_on"]
            lines.append("Completed." if completed else "Reopened.")
        if new_due is not None:
            lines.append(
                f"Due date changed from {long_date(current.due_date)} to {long_date(new_due)}."
            )
            current.due_date = new_due
            changed.append("due_date")
        if new_owner is not None:
            lines.append(f"Owner changed from {_name(current.owner)} to {_name(new_owner)}.")
            current.owner = new_owner
            changed.append("owner")
        if current.status == PlanActionStatus.COMPLETE:
            if completed or current.reminder_next_on is not None:
                reminders.stop(current)
                changed += STOPPED_FIELDS
        elif reopened or new_due is not None or new_owner is not None:
            reminders.rearm(current)
            changed += REARMED_FIELDS
        if changed:
            current.save(update_fields=sorted(set(changed)))
        update = PlanActionUpdate.objects.create(
            action=current,
            rag=current.rag,
            status=current.status,
            evidence=current.evidence,
            note="\n\n".join(lines),
            by=by,
        )
        if new_owner is not None and new_owner.pk != by.pk:
            queue_after_commit(send_plan_action_assigned, update.pk)
    for name in (*changed, "reminder_last_sent", "reminder_next_on"):
        setattr(action, name, getattr(current, name))
    return update


def plan_action_assigned_send(*, update_pk: int) -> bool:
    """Tell an action's owner that it is theirs, for the history entry that recorded the new
    action or the change of owner. Sends at most once per entry: the entry is claimed
    (`emailed_at`) with a conditional update first, so a second run finds it taken. Nothing is
    sent for an action completed meanwhile, to an owner whose account is closed, or when the
    action has since gone back to the entry's author. A failed send gives the claim back, so
    the task's retry sends it. The email names no child: the reference and a link."""
    claimed_at = timezone.now()
    sendable = PlanActionUpdate.objects.filter(
        action__status=PlanActionStatus.OPEN, action__owner__is_active=True
    ).exclude(action__owner=F("by"))
    claimed = PlanActionUpdate.objects.filter(
        pk=update_pk, emailed_at=None, pk__in=sendable.values("pk")
    ).update(emailed_at=claimed_at)
    if not claimed:
        return False
    try:
        update = PlanActionUpdate.objects.select_related(
            "by",
            "action__owner",
            "action__lead_agency",
            "action__recommendation__review__notification",
            "action__recommendation__review__review_type",
        ).get(pk=update_pk)
        action = update.action
        send_templated_email(
            "plan_action_assigned",
            to=[action.owner.email],
            context={
                "user": action.owner,
                "by": update.by,
                "action": action,
                "recommendation": action.recommendation,
                "reference": action.recommendation.review.notification.reference,
                "link": settings.SITE_URL + action.get_absolute_url(),
            },
        )
    except Exception:
        PlanActionUpdate.objects.filter(pk=update_pk, emailed_at=claimed_at).update(emailed_at=None)
        raise
    return True
