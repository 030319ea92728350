"""The Case Review subgroup's work on a submitted notification, and the board chair's decision.

- The secretariat records the day the national panel and Ofsted were told: that clock is met
  and the rapid review's starts.
- A running deadline is recorded as met (the rapid review done; under the 2015 regime, the
  panel told of a decision not to review).
- The subgroup records its consideration against the statutory criteria, once.
- The board chair, and only the board chair, decides, once. A type of review that needs the
  criteria met, chosen when the subgroup found them not met, needs a reason for the override.
  A decision to hold a review starts its clock and opens the review.

Each service checks its rules whatever page calls it, and refuses a breach with a
`ValidationError` (naming the field when there is one); someone who may not do it at all gets
`PermissionDenied`. Writes are in one transaction with the case's row locked, so two people
pressing the button together record it once.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from hscb.lib.checks import (
    check_date,
    check_text,
    locked,
    long_date,
    queue_after_commit,
)
from hscb.models import GroupFunction, Meeting, MeetingStatus, Membership, MembershipRole, User
from hscb.rules import roles_of

from ..models import (
    Answer,
    Clock,
    ClockKind,
    Consideration,
    Decision,
    Notification,
    NotificationStatus,
    Outcome,
    Review,
    ReviewType,
    criteria_met,
)
from .clocks import (
    ClockRuleMissing,
    clock_meet,
    clock_start_decision,
    clock_start_rapid_review,
)

# The criteria the subgroup answers, in the order the form asks them.
CRITERIA = (
    "abuse_or_neglect",
    "child_died",
    "seriously_harmed",
    "concern_working_together",
    "died_in_custody",
)
# Deadlines recorded as met on their own page; the national notification has a page of its own
# because it starts the rapid review's clock.
NOT_AN_OUTCOME = (
    "The rapid review is a stage every notification goes through before the decision, not a "
    "decision: choose whether a review is held"
)
MEETABLE_CLOCKS = (ClockKind.RAPID_REVIEW, ClockKind.DECISION)

CHANGED = "Someone else changed this case while you were working on it: nothing was saved."


def _check_not_merged(notification: Notification) -> None:
    if notification.status == NotificationStatus.DRAFT:
        raise ValidationError("This notification has not been submitted yet")
    if notification.status == NotificationStatus.MERGED:
        into = notification.merged_into
        where = f" into {into.reference}" if into is not None else ""
        raise ValidationError(
            f"{notification.reference} was merged{where}: record this on the case it was "
            "merged into"
        )


def considered_on(consideration: Consideration) -> datetime.date:
    """The day the subgroup considered the case: its meeting's, or the day it was recorded."""
    if consideration.meeting is not None:
        return timezone.localdate(consideration.meeting.starts_at)
    return timezone.localdate(consideration.recorded_at)


# The national panel and Ofsted, and deadlines met ---------------------------------------------


def case_record_panel_notified(
    *, notification: Notification, notified_on: datetime.date | None, by: User
) -> Notification:
    """Record the day the national panel and Ofsted were notified: that deadline is met (late or
    not) and the rapid review's clock starts from that day. Recorded once."""
    if not by.has_perm("casereview.work_on_case", notification):
        raise PermissionDenied("Only the Case Review subgroup and the secretariat record this.")
    today = timezone.localdate()
    try:
        with transaction.atomic():
            case = locked(notification)
            _check_not_merged(case)
            if case.panel_notified_on is not None:
                raise ValidationError(
                    "The national panel and Ofsted were recorded as notified on "
                    f"{long_date(case.panel_notified_on)}: it cannot be recorded twice"
                )
            errors: dict[str, list[str]] = {}
            check_date(
                errors,
                "notified_on",
                notified_on,
                what="the date the national panel and Ofsted were notified",
                today=today,
                not_before=case.aware_date,
                not_before_what="the day the agency became aware",
            )
            if errors:
                raise ValidationError(errors)
            case.panel_notified_on = notified_on
            case.save(update_fields=["panel_notified_on", "updated_at"])
            clock_meet(notification=case, kind=ClockKind.PANEL_NOTIFICATION, on=notified_on)
            clock_start_rapid_review(notification=case, notified_on=notified_on)
    except ClockRuleMissing as missing:
        raise ValidationError(str(missing)) from None
    except ConcurrentTransition:
        raise ValidationError(CHANGED) from None
    return case


def clock_record_met(
    *, notification: Notification, kind: str, met_on: datetime.date | None, by: User
) -> Clock:
    """Record that a running deadline was met on `met_on` (late, if after its due date): it
    stops, and its owner is no longer reminded."""
    if not by.has_perm("casereview.work_on_case", notification):
        raise PermissionDenied("Only the Case Review subgroup and the secretariat record this.")
    if kind == ClockKind.PANEL_NOTIFICATION:
        raise ValidationError(
            "Record the day the national panel and Ofsted were notified on its own page: it "
            "starts the rapid review's deadline"
        )
    if kind not in MEETABLE_CLOCKS:
        raise ValidationError("There is no such deadline")
    today = timezone.localdate()
    with transaction.atomic():
        case = locked(notification)
        _check_not_merged(case)
        clock = Clock.objects.select_for_update().filter(notification=case, kind=kind).first()
        if clock is None:
            raise ValidationError(f"{case.reference} has no deadline of this kind running")
        if clock.met_on is not None:
            raise ValidationError(
                f"“{clock.name}” was recorded as met on {long_date(clock.met_on)}: it cannot be "
                "recorded twice"
            )
        errors: dict[str, list[str]] = {}
        check_date(
            errors,
            "met_on",
            met_on,
            what="the date it was met",
            today=today,
            not_before=clock.starts_on,
            not_before_what="the day the deadline started",
        )
        if errors:
            raise ValidationError(errors)
        return clock_meet(notification=case, kind=kind, on=met_on)


# The subgroup's consideration ------------------------------------------------------------------


def _check_answers(errors: dict[str, list[str]], answers: dict[str, str]) -> None:
    for name in CRITERIA:
        if answers.get(name) not in Answer.values:
            errors[name] = ["Answer yes, no or not known"]
    if (
        answers.get("died_in_custody") == Answer.YES
        and answers.get("child_died") in (Answer.NO, Answer.NOT_KNOWN)
        and "died_in_custody" not in errors
    ):
        errors["died_in_custody"] = [
            "You said the child died in custody or a secure setting: answer yes to “the child "
            "died”, or change this answer"
        ]


def case_consider(
    *,
    notification: Notification,
    by: User,
    abuse_or_neglect: str,
    child_died: str,
    seriously_harmed: str,
    concern_working_together: str,
    died_in_custody: str,
    assessment: str,
    recommendation: ReviewType | None,
    rationale: str,
    meeting: Meeting | None = None,
) -> Consideration:
    """Record the subgroup's assessment of each statutory criterion and its recommendation, once.
    The case then awaits the board chair's decision."""
    if not by.has_perm("casereview.consider_case", notification):
        raise PermissionDenied("Only the Case Review subgroup and the secretariat record this.")
    answers = {
        "abuse_or_neglect": abuse_or_neglect,
        "child_died": child_died,
        "seriously_harmed": seriously_harmed,
        "concern_working_together": concern_working_together,
        "died_in_custody": died_in_custody,
    }
    errors: dict[str, list[str]] = {}
    _check_answers(errors, answers)
    assessment = check_text(errors, "assessment", assessment, what="the subgroup's assessment")
    rationale = check_text(
        errors, "rationale", rationale, what="the reasons for the recommendation"
    )
    if recommendation is None:
        errors["recommendation"] = ["Choose the subgroup's recommendation"]
    elif not recommendation.is_active:
        errors["recommendation"] = [f"{recommendation.name} is no longer offered: choose another"]
    elif recommendation.outcome == Outcome.RAPID_REVIEW:
        errors["recommendation"] = [NOT_AN_OUTCOME]
    if meeting is not None:
        if meeting.group.function != GroupFunction.CASE_REVIEW:
            errors["meeting"] = ["Choose a meeting of the Case Review subgroup"]
        elif meeting.status == MeetingStatus.CANCELLED:
            errors["meeting"] = ["That meeting was cancelled: choose the one that considered it"]
        elif timezone.localdate(meeting.starts_at) > timezone.localdate():
            errors["meeting"] = ["Choose a meeting that has taken place"]
    try:
        with transaction.atomic():
            case = locked(notification)
            _check_not_merged(case)
            if case.status != NotificationStatus.SUBMITTED:
                raise ValidationError(
                    "The subgroup's consideration of this case is already recorded: it cannot "
                    "be recorded twice"
                )
            if errors:
                raise ValidationError(errors)
            consideration = Consideration.objects.create(
                notification=case,
                **answers,
                assessment=assessment,
                recommendation=recommendation,
                rationale=rationale,
                meeting=meeting,
                recorded_by=by,
            )
            case.consider()
            case.save(update_fields=["status", "updated_at"])
            from casereview.tasks.cases import send_decision_needed

            queue_after_commit(send_decision_needed, case.pk)
    except IntegrityError:
        raise ValidationError(
            "The subgroup's consideration of this case is already recorded: it cannot be "
            "recorded twice"
        ) from None
    except (ConcurrentTransition, TransitionNotAllowed):
        raise ValidationError(CHANGED) from None
    return consideration


# The board chair's decision ---------------------------------------------------------------------


def _twice(decision: Decision | None) -> ValidationError:
    when = f" on {long_date(decision.decided_on)}" if decision is not None else ""
    return ValidationError(
        f"The board chair's decision on this case was recorded{when}: it cannot be recorded twice"
    )


def case_decide(
    *,
    notification: Notification,
    review_type: ReviewType | None,
    reasons: str,
    override_reason: str,
    decided_on: datetime.date | None,
    by: User,
) -> Decision:
    """The board chair's decision on a case the subgroup has considered, recorded once.

    Refused: from anyone but the board chair; on a case not yet considered; twice; for a type
    no longer offered; without reasons when the type needs them; and for a type that needs the
    statutory criteria met when the subgroup found them not met, without a reason for the
    override. A decision to hold a review starts its clock and opens the review.
    """
    if not roles_of(by).is_board_chair or not by.has_perm("casereview.decide_case", notification):
        raise PermissionDenied("Only the board chair decides whether a review is held.")
    today = timezone.localdate()
    try:
        with transaction.atomic():
            case = locked(notification)
            _check_not_merged(case)
            if case.status == NotificationStatus.DECIDED:
                raise _twice(Decision.objects.filter(notification=case).first())
            consideration = (
                Consideration.objects.select_related("meeting").filter(notification=case).first()
            )
            if case.status != NotificationStatus.CONSIDERED or consideration is None:
                raise ValidationError(
                    "The Case Review subgroup has not recorded its consideration of this case "
                    "yet: the board chair decides once it has"
                )
            met = consideration.criteria_met
            errors: dict[str, list[str]] = {}
            if review_type is None:
                errors["review_type"] = ["Choose what the board chair decided"]
            elif not review_type.is_active:
                errors["review_type"] = [f"{review_type.name} is no longer offered: choose another"]
            elif review_type.outcome == Outcome.RAPID_REVIEW:
                errors["review_type"] = [NOT_AN_OUTCOME]
            required = review_type is not None and review_type.reasons_required
            reasons = check_text(
                errors, "reasons", reasons, what="the reasons for the decision", required=required
            )
            override_reason = check_text(
                errors,
                "override_reason",
                override_reason,
                what="the reason for deciding against the criteria",
                required=False,
            )
            if (
                review_type is not None
                and review_type.needs_criteria_met
                and not met
                and "override_reason" not in errors
                and not override_reason
            ):
                errors["override_reason"] = [
                    f"The subgroup found the statutory criteria not met, and a "
                    f"{review_type.name.lower()} needs them met. Give the reason for deciding "
                    "against the criteria, or choose another outcome"
                ]
            elif (
                review_type is not None
                and review_type.needs_criteria_not_met
                and met
                and "override_reason" not in errors
                and not override_reason
            ):
                errors["override_reason"] = [
                    f"The subgroup found the statutory criteria met, and “{review_type.name}” "
                    "is for a case that does not meet them. Give the reason for deciding against "
                    "the criteria, or choose another outcome"
                ]
            check_date(
                errors,
                "decided_on",
                decided_on,
                what="the date of the decision",
                today=today,
                not_before=considered_on(consideration),
                not_before_what="the day the subgroup considered the case",
            )
            if errors:
                raise ValidationError(errors)
            decision = Decision.objects.create(
                notification=case,
                review_type=review_type,
                reasons=reasons,
                criteria_met=met,
                override_reason=override_reason,
                decided_by=by,
                decided_on=decided_on,
            )
            case.decide()
            case.save(update_fields=["status", "updated_at"])
            clock = clock_start_decision(
                notification=case, review_type=review_type, decided_on=decided_on
            )
            if review_type.outcome == Outcome.REVIEW:
                Review.objects.create(
                    notification=case,
                    review_type=review_type,
                    started_on=decided_on,
                    due_on=clock.due_on if clock is not None else None,
                )
    except IntegrityError:
        raise _twice(Decision.objects.filter(notification=notification).first()) from None
    except (ConcurrentTransition, TransitionNotAllowed):
        raise ValidationError(CHANGED) from None
    return decision


def answers_meet_criteria(answers: dict[str, str | None]) -> bool | None:
    """Whether these answers (from a form, perhaps half filled) meet the statutory criteria:
    None until every criterion is answered."""
    if any(answers.get(name) not in Answer.values for name in CRITERIA):
        return None
    return criteria_met(**{name: answers[name] for name in CRITERIA})


# Emails ----------------------------------------------------------------------------------------


def board_chairs() -> list[User]:
    """The Strategic Board's current chairs, with open accounts."""
    return list(
        User.objects.filter(
            is_active=True,
            pk__in=Membership.objects.current()
            .filter(
                group__function=GroupFunction.STRATEGIC_BOARD,
                group__is_active=True,
                role=MembershipRole.CHAIR,
            )
            .values("user_id"),
        ).order_by("last_name", "first_name", "pk")
    )


def decision_needed_send(*, notification_pk: int) -> int:
    """Tell the board chair that a case awaits their decision: the reference, the subgroup's
    recommendation and a link, nothing about the child. Each chair is emailed once; returns how
    many were emailed this time."""
    from casereview.services.notifications import case_emails_send

    case = (
        Notification.objects.filter(pk=notification_pk, status=NotificationStatus.CONSIDERED)
        .select_related("consideration__recommendation")
        .first()
    )
    if case is None:
        return 0
    return case_emails_send(
        case,
        email="decision_needed",
        people=board_chairs(),
        context={
            "recommendation": case.consideration.recommendation,
            "link": settings.SITE_URL + reverse("casereview:case_decide", kwargs={"pk": case.pk}),
        },
    )
