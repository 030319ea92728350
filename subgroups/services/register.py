"""Every write to the Improving Outcomes register: issues, their progress and status, escalation
to the Strategic Board and the Board's decision, and the register of good practice.

The rules of the subgroup's remit are enforced here, whatever form or page calls them: only
multi-agency issues; escalation only for significant risk that meets a criterion, with the
agencies named when co-operation is the reason; one decision per escalation; a stale change of
status refused.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from hscb.lib import reminders
from hscb.lib.checks import queue_after_commit
from hscb.models import (
    Agency,
    Group,
    GroupFunction,
    Meeting,
    MeetingStatus,
    Priority,
    User,
)
from hscb.services.actions import action_create
from hscb.services.meetings import item_save
from subgroups.models import (
    Escalation,
    EscalationDecision,
    GoodPractice,
    Issue,
    IssueSource,
    IssueStatus,
    IssueUpdate,
    RiskRating,
)

logger = logging.getLogger(__name__)

MULTI_AGENCY_MESSAGE = (
    "The Improving Outcomes subgroup only takes multi-agency issues. Choose two or more "
    "agencies, or say that the issue is countywide"
)
TEXT_LIMIT = 4000


class IssueChanged(Exception):
    """Someone else moved the issue since the user loaded it: nothing was saved."""

    def __init__(self, status: str) -> None:
        self.status = status
        super().__init__(f"The issue is now {IssueStatus(status).label.lower()}.")


def register_group() -> Group:
    """The Improving Outcomes subgroup, whose register this is."""
    group = Group.objects.filter(function=GroupFunction.IMPROVING_OUTCOMES).first()
    if group is None:
        raise ValidationError("The board has no Improving Outcomes subgroup: load the board first")
    return group


# Risk ---------------------------------------------------------------------------------------------


def rating_for(score: int, bands: Sequence[RiskRating] | None = None) -> RiskRating | None:
    """The band a score falls in: the one with the highest lowest score at or below it."""
    bands = list(bands if bands is not None else RiskRating.objects.order_by("min_score"))
    matching = [band for band in bands if band.min_score <= score]
    return matching[-1] if matching else None


def significant_from() -> RiskRating | None:
    """The lowest band marked significant: issues rated there or higher may be escalated."""
    return RiskRating.objects.filter(significant=True).order_by("min_score").first()


def _score(issue: Issue) -> None:
    issue.score = issue.likelihood * issue.impact
    issue.rating = rating_for(issue.score)


# Issues -------------------------------------------------------------------------------------------


def _check_issue(
    *,
    title: str,
    description: str,
    source: str,
    proposed_improvement: str,
    agencies: Sequence[Agency],
    is_countywide: bool,
    likelihood: int,
    impact: int,
    owner: User,
    review_date: datetime.date,
    priority: Priority | None,
    today: datetime.date,
    review_date_changed: bool = True,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name, value, limit, what in (
        ("title", title, 200, "a title"),
        ("description", description, 8000, "a description"),
        ("proposed_improvement", proposed_improvement, 8000, "the proposed improvement"),
    ):
        if not value.strip():
            errors[name] = [f"Enter {what}"]
        elif len(value.strip()) > limit:
            errors[name] = [f"This must be {limit:,} characters or fewer"]
    if source not in IssueSource.values:
        errors["source"] = ["Choose where the issue came from"]
    if any(not agency.is_active for agency in agencies):
        errors["agencies"] = ["Choose agencies that still take part"]
    if len({a.pk for a in agencies}) < 2 and not is_countywide:
        named = f" This one names only {agencies[0]}." if len(agencies) == 1 else " It names none."
        errors.setdefault("agencies", []).append(MULTI_AGENCY_MESSAGE + "." + named)
    for name, value in (("likelihood", likelihood), ("impact", impact)):
        if not 1 <= value <= 5:
            errors[name] = [f"The {name} must be from 1 to 5"]
    if not owner.is_active:
        errors["owner"] = ["Choose an owner whose account is open"]
    if review_date_changed and review_date < today:
        errors["review_date"] = ["The review date must be today or in the future"]
    if priority is not None and priority.plan.year < today.year - 2:
        errors["priority"] = ["Choose a priority of a current business plan"]
    return errors


def issue_raise(
    *,
    by: User,
    title: str,
    description: str,
    source: str,
    agencies: Sequence[Agency],
    is_countywide: bool,
    priority: Priority | None,
    likelihood: int,
    impact: int,
    owner: User,
    proposed_improvement: str,
    review_date: datetime.date,
    good_practice: Iterable[GoodPractice] = (),
) -> Issue:
    """Put a multi-agency issue on the register, with its risk scored and rated and its review
    date in the reminder engine."""
    today = timezone.localdate()
    errors = _check_issue(
        title=title,
        description=description,
        source=source,
        proposed_improvement=proposed_improvement,
        agencies=agencies,
        is_countywide=is_countywide,
        likelihood=likelihood,
        impact=impact,
        owner=owner,
        review_date=review_date,
        priority=priority,
        today=today,
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        issue = Issue(
            group=register_group(),
            title=title.strip(),
            description=description.strip(),
            source=source,
            is_countywide=is_countywide,
            priority=priority,
            likelihood=likelihood,
            impact=impact,
            owner=owner,
            proposed_improvement=proposed_improvement.strip(),
            review_date=review_date,
            created_by=by,
        )
        _score(issue)
        reminders.rearm(issue)
        issue.save()
        issue.agencies.set(agencies)
        issue.good_practice.set(good_practice)
        IssueUpdate.objects.create(
            issue=issue, author=by, text="Raised on the register.", status_to=IssueStatus.OPEN
        )
    return issue


def issue_change(
    *,
    issue: Issue,
    by: User,
    title: str,
    description: str,
    source: str,
    agencies: Sequence[Agency],
    is_countywide: bool,
    priority: Priority | None,
    likelihood: int,
    impact: int,
    owner: User,
    proposed_improvement: str,
    review_date: datetime.date,
    good_practice: Iterable[GoodPractice] = (),
) -> Issue:
    """Change an issue's details. The same rules as raising it; a new review date or owner
    starts the reminders again. History comes from auditlog."""
    if issue.status == IssueStatus.CLOSED:
        raise ValidationError("A closed issue cannot be changed. Reopen it first")
    errors = _check_issue(
        title=title,
        description=description,
        source=source,
        proposed_improvement=proposed_improvement,
        agencies=agencies,
        is_countywide=is_countywide,
        likelihood=likelihood,
        impact=impact,
        owner=owner,
        review_date=review_date,
        priority=priority,
        today=timezone.localdate(),
        review_date_changed=review_date != issue.review_date,
    )
    if errors:
        raise ValidationError(errors)
    rearm = review_date != issue.review_date or owner.pk != issue.owner_id
    fields = ["title", "description", "source", "is_countywide", "priority", "likelihood"]
    fields += ["impact", "score", "rating", "owner", "proposed_improvement", "review_date"]
    try:
        with transaction.atomic():
            _apply_change(
                issue,
                fields,
                rearm=rearm,
                values={
                    "title": title.strip(),
                    "description": description.strip(),
                    "source": source,
                    "is_countywide": is_countywide,
                    "priority": priority,
                    "likelihood": likelihood,
                    "impact": impact,
                    "owner": owner,
                    "review_date": review_date,
                    "proposed_improvement": proposed_improvement.strip(),
                },
            )
            issue.agencies.set(agencies)
            issue.good_practice.set(good_practice)
    except ConcurrentTransition:
        issue.refresh_from_db(fields=["status"])
        raise IssueChanged(issue.status) from None
    return issue


def _apply_change(issue: Issue, fields: list[str], *, rearm: bool, values: dict) -> None:
    """Set the issue's details, score and (if asked) its reminders, and save only those."""
    for name, value in values.items():
        setattr(issue, name, value)
    _score(issue)
    if rearm and issue.is_live:
        reminders.rearm(issue)
        fields += ["reminder_last_sent", "reminder_next_on"]
    issue.save(update_fields=fields)


# The moves an owner or chair may make, by the status an issue is in, with the transition.
MOVES: dict[str, dict[str, str]] = {
    IssueStatus.OPEN: {IssueStatus.MONITORING: "monitor", IssueStatus.RESOLVED: "resolve"},
    IssueStatus.MONITORING: {IssueStatus.RESOLVED: "resolve", IssueStatus.OPEN: "reopen"},
    IssueStatus.RESOLVED: {IssueStatus.CLOSED: "close", IssueStatus.OPEN: "reopen"},
    IssueStatus.CLOSED: {IssueStatus.OPEN: "reopen"},
    IssueStatus.ESCALATED: {},
}


def issue_progress(
    *,
    issue: Issue,
    by: User,
    text: str,
    status: str | None = None,
    seen_status: str | None = None,
) -> IssueUpdate:
    """Add a dated progress update, moving the status if `status` is given: who, when, from,
    to and why are kept. A move from a status the issue is no longer in (someone else moved it
    since `seen_status` was read) raises IssueChanged and saves nothing."""
    text = text.strip()
    if not text:
        raise ValidationError({"text": ["Enter a progress update"]})
    if len(text) > TEXT_LIMIT:
        raise ValidationError({"text": [f"The update must be {TEXT_LIMIT:,} characters or fewer"]})
    if seen_status is not None and seen_status != issue.status:
        raise IssueChanged(issue.status)
    current = issue.status
    if status and status != current:
        transition = MOVES.get(current, {}).get(status)
        if transition is None:
            if current == IssueStatus.ESCALATED:
                message = "The issue is with the Strategic Board: it moves when the Board decides"
            else:
                message = (
                    f"An issue that is {IssueStatus(current).label.lower()} cannot be "
                    f"{IssueStatus(status).label.lower()}"
                )
            raise ValidationError({"status": [message]})
    try:
        with transaction.atomic():
            fields = []
            if status and status != current:
                getattr(issue, MOVES[current][status])()
                fields.append("status")
                if status in (IssueStatus.RESOLVED, IssueStatus.CLOSED):
                    reminders.stop(issue)
                    fields.append("reminder_next_on")
                elif status == IssueStatus.OPEN or current == IssueStatus.OPEN:
                    if issue.review_date < timezone.localdate():
                        issue.review_date = timezone.localdate()
                        fields.append("review_date")
                    reminders.rearm(issue)
                    fields += ["reminder_last_sent", "reminder_next_on"]
                issue.save(update_fields=fields)
            return IssueUpdate.objects.create(
                issue=issue,
                author=by,
                text=text,
                status_from=current if fields else "",
                status_to=status if fields else "",
            )
    except (ConcurrentTransition, TransitionNotAllowed):
        issue.refresh_from_db(fields=["status"])
        raise IssueChanged(issue.status) from None


# Escalation ---------------------------------------------------------------------------------------


def next_board_meeting(*, after: datetime.datetime | None = None) -> Meeting | None:
    """The Strategic Board's next scheduled meeting."""
    now = after or timezone.now()
    return (
        Meeting.objects.upcoming(now)
        .filter(group__function=GroupFunction.STRATEGIC_BOARD, group__is_active=True)
        .filter(starts_at__gt=now)
        .first()
    )


def escalation_check(
    *,
    issue: Issue,
    countywide_or_national: bool,
    beyond_remit: bool,
    lack_of_cooperation: bool,
    uncooperative_agencies: Sequence[Agency],
) -> None:
    """Whether the issue may be escalated on these grounds: raises ValidationError saying why
    not. The subgroup escalates only issues of significant risk that have countywide or
    national implications, extend beyond the remit of the Strategic Board, or result from a
    serious lack of co-operation of one or more agencies (which must then be named)."""
    if issue.status in (IssueStatus.RESOLVED, IssueStatus.CLOSED):
        raise ValidationError(
            f"A {IssueStatus(issue.status).label.lower()} issue cannot be escalated. Reopen it "
            "first if the risk has come back"
        )
    if issue.status == IssueStatus.ESCALATED:
        raise ValidationError("This issue is already with the Strategic Board")
    threshold = significant_from()
    if threshold is None:
        raise ValidationError(
            "No risk rating is marked significant, so nothing can be escalated. Ask the "
            "board's business unit to set the ratings"
        )
    if issue.score < threshold.min_score:
        rated = f"{issue.rating} (score {issue.score})" if issue.rating else f"{issue.score}"
        raise ValidationError(
            f"Only issues of significant risk can be escalated: rated {threshold} or higher "
            f"(a score of {threshold.min_score} or more). This issue is rated {rated}"
        )
    errors: dict[str, list[str]] = {}
    if not (countywide_or_national or beyond_remit or lack_of_cooperation):
        errors["criteria"] = [
            "Choose at least one reason: countywide or national implications, beyond the "
            "remit of the Strategic Board, or a serious lack of co-operation"
        ]
    if lack_of_cooperation and not uncooperative_agencies:
        errors["uncooperative_agencies"] = [
            "Name the agencies whose lack of co-operation is the reason for escalating"
        ]
    elif lack_of_cooperation and any(not agency.is_active for agency in uncooperative_agencies):
        errors["uncooperative_agencies"] = ["Choose agencies that still take part"]
    if errors:
        raise ValidationError(errors)


def escalation_propose(
    *,
    issue: Issue,
    by: User,
    countywide_or_national: bool,
    beyond_remit: bool,
    lack_of_cooperation: bool,
    uncooperative_agencies: Sequence[Agency],
    rationale: str,
    recommendations: str,
) -> Escalation:
    """Escalate an issue to the Strategic Board: the proposal goes on the agenda of the Board's
    next meeting (or waits for one to be scheduled), and the board chair and the secretariat are
    emailed."""
    from subgroups.tasks import send_escalation_proposed

    escalation_check(
        issue=issue,
        countywide_or_national=countywide_or_national,
        beyond_remit=beyond_remit,
        lack_of_cooperation=lack_of_cooperation,
        uncooperative_agencies=uncooperative_agencies,
    )
    errors = {}
    for name, value in (("rationale", rationale), ("recommendations", recommendations)):
        if not value.strip():
            errors[name] = [
                "Enter the rationale for escalating"
                if name == "rationale"
                else "Enter the recommendations for action"
            ]
    if errors:
        raise ValidationError(errors)
    current = issue.status
    try:
        with transaction.atomic():
            issue.escalate()
            issue.save(update_fields=["status"])
            escalation = Escalation.objects.create(
                issue=issue,
                countywide_or_national=countywide_or_national,
                beyond_remit=beyond_remit,
                lack_of_cooperation=lack_of_cooperation,
                rationale=rationale.strip(),
                recommendations=recommendations.strip(),
                score_when_proposed=issue.score,
                proposed_by=by,
            )
            if lack_of_cooperation:
                escalation.uncooperative_agencies.set(uncooperative_agencies)
            IssueUpdate.objects.create(
                issue=issue,
                author=by,
                text=f"Escalated to the Strategic Board. {rationale.strip()}",
                status_from=current,
                status_to=IssueStatus.ESCALATED,
            )
            meeting = next_board_meeting()
            if meeting is not None:
                _place_on_agenda(escalation, meeting, by=by)
            queue_after_commit(send_escalation_proposed, escalation.pk)
    except (ConcurrentTransition, TransitionNotAllowed):
        issue.refresh_from_db(fields=["status"])
        raise IssueChanged(issue.status) from None
    return escalation


def _place_on_agenda(escalation: Escalation, meeting: Meeting, *, by: User) -> None:
    item = item_save(
        meeting=meeting,
        by=by,
        title=f"Escalation from the Improving Outcomes subgroup: {escalation.issue.title}",
        description=escalation.recommendations,
        linked=escalation,
    )
    escalation.meeting, escalation.agenda_item = meeting, item
    escalation.place_on_agenda()
    escalation.save(update_fields=["meeting", "agenda_item", "status"])


def escalations_place_waiting(*, meeting: Meeting, by: User) -> int:
    """Put escalations waiting for a Strategic Board meeting on `meeting`'s agenda (called
    when the Board's next meeting is scheduled). Returns how many were placed."""
    if (
        meeting.group.function != GroupFunction.STRATEGIC_BOARD
        or meeting.status != MeetingStatus.SCHEDULED
        or meeting.starts_at <= timezone.now()
    ):
        return 0
    placed = 0
    for escalation in Escalation.objects.filter(status="awaiting_meeting").select_related("issue"):
        try:
            with transaction.atomic():
                _place_on_agenda(escalation, meeting, by=by)
        except (ValidationError, ConcurrentTransition, TransitionNotAllowed):
            # Decided or placed by someone else meanwhile: nothing to do for this one.
            logger.warning("Escalation %s was not placed on meeting %s", escalation.pk, meeting.pk)
            continue
        placed += 1
    return placed


@dataclass(frozen=True)
class BoardAction:
    """A recommendation the Board accepted, as an action with an owner and a due date."""

    title: str
    owner: User
    due_date: datetime.date


def escalation_decide(
    *,
    escalation: Escalation,
    by: User,
    decision: str,
    decided_on: datetime.date,
    notes: str = "",
    referred_to: str = "",
    actions: Sequence[BoardAction] = (),
) -> Escalation:
    """Record the Strategic Board's decision on an escalation, once.

    Accepting turns the recommendations into Board actions (each with an owner and a due
    date); returning needs the Board's advice to the group; referring on needs where to. The
    decision and its date go back to the issue, which returns to the group's register open.
    """
    if not by.has_perm("subgroups.decide_escalation", escalation):
        raise PermissionDenied("Only the board chair or the secretariat records the decision.")
    if escalation.decision:
        raise ValidationError(
            f"The Board's decision was recorded on {escalation.decided_on:%-d %B %Y}: it "
            "cannot be recorded twice"
        )
    errors: dict[str, list[str]] = {}
    if decision not in EscalationDecision.values:
        errors["decision"] = ["Choose accept, return or refer on"]
    if decided_on > timezone.localdate():
        errors["decided_on"] = ["The date of the decision must be today or in the past"]
    elif decided_on < escalation.proposed_at.date():
        errors["decided_on"] = ["The date of the decision must be on or after the proposal"]
    if decision == EscalationDecision.ACCEPT and not actions:
        errors["actions"] = ["Add at least one action, with its owner and due date"]
    if decision == EscalationDecision.RETURN and not notes.strip():
        errors["notes"] = ["Enter the Board's advice to the group"]
    if decision == EscalationDecision.REFER_ON and not referred_to.strip():
        errors["referred_to"] = ["Enter who the Board referred it to"]
    if errors:
        raise ValidationError(errors)
    board = Group.objects.filter(function=GroupFunction.STRATEGIC_BOARD).first()
    if board is None:
        raise ValidationError("The board has no Strategic Board group: load the board first")
    issue = escalation.issue
    label = EscalationDecision(decision).label
    try:
        with transaction.atomic():
            escalation.decide()
            escalation.decision, escalation.decided_on = decision, decided_on
            escalation.decision_notes = notes.strip()
            escalation.referred_to = referred_to.strip()
            escalation.decided_by = by
            escalation.save()
            if decision == EscalationDecision.ACCEPT:
                for action in actions:
                    action_create(
                        group=board,
                        meeting=escalation.meeting,
                        agenda_item=escalation.agenda_item,
                        title=action.title,
                        description=f"From the escalation of {issue.reference}: {issue.title}",
                        owner=action.owner,
                        due_date=action.due_date,
                        by=by,
                    )
            was = issue.status
            if was == IssueStatus.ESCALATED:
                issue.return_from_board()
                issue.save(update_fields=["status"])
            detail = notes.strip() or referred_to.strip()
            IssueUpdate.objects.create(
                issue=issue,
                author=by,
                text=f"The Strategic Board's decision on {decided_on:%-d %B %Y}: {label}."
                + (f" {detail}" if detail else ""),
                status_from=was if was != issue.status else "",
                status_to=issue.status if was != issue.status else "",
            )
    except (ConcurrentTransition, TransitionNotAllowed):
        raise ValidationError(
            "The Board's decision on this escalation is already recorded"
        ) from None
    return escalation


# Good practice ------------------------------------------------------------------------------------


def good_practice_add(
    *,
    by: User,
    title: str,
    scope: str,
    source: str,
    summary: str,
    link: str,
    theme: str,
    agencies: Sequence[Agency] = (),
) -> GoodPractice:
    practice = GoodPractice(
        title=title.strip(),
        scope=scope,
        source=source.strip(),
        summary=summary.strip(),
        link=link.strip(),
        theme=theme.strip(),
        added_by=by,
    )
    # The model's own checks: required fields, lengths, the scope's choices, a web address.
    practice.full_clean(exclude=["added_at"])
    if practice.link and not practice.link.startswith(("https://", "http://")):
        raise ValidationError({"link": ["Enter a web address starting with https://"]})
    with transaction.atomic():
        practice.save()
        practice.agencies.set(agencies)
    return practice
