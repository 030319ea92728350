"""Reads of reviews, their action plans and lessons, scoped to the person asking.

A review is part of a child's case: only the case team (the secretariat and the Case Review
subgroup) sees it; anyone else gets 404. An action plan action is seen by the case team and its
owner. Lessons carry no personal details and, once the secretariat has approved them, are for
everyone with a board role (the case team sees its review's lessons in every state); their pages
never load the notification, so neither the child's name nor the case reference can reach them.
List pages run a fixed number of queries, whatever the number of rows.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404, QueryDict
from django.utils import timezone

from hscb.models import Agency, User
from hscb.selectors.actions import owner_choices as group_owner_choices

from ..filters.reviews import LessonFilter, PlanActionFilter, ReviewFilter
from ..models import (
    AgencyReport,
    Clock,
    ClockKind,
    Lesson,
    LessonStatus,
    Milestone,
    Notification,
    PlanAction,
    PlanActionStatus,
    PlanActionUpdate,
    Recommendation,
    Review,
)
from ..services import clocks

REVIEWS_PER_PAGE = 25
ACTIONS_PER_PAGE = 25
LESSONS_PER_PAGE = 20


def _decision_clock() -> Prefetch:
    return Prefetch(
        "notification__clocks",
        queryset=Clock.objects.filter(kind=ClockKind.DECISION),
        to_attr="decision_clocks",
    )


def mark_due(review: Review, today: datetime.date) -> Review:
    """Give the review its deadline from its decision's clock (its own due date when it has
    none), the days left (working days for a working-day clock), and whether it is overdue."""
    found = getattr(review.notification, "decision_clocks", None)
    clock = found[0] if found else None
    review.clock = clock
    if clock is not None:
        review.deadline = clock.due_on
        review.days_left = clocks.days_left(clock, today)
        review.deadline_met = clock.met_on
    else:
        review.deadline = review.due_on
        review.days_left = (review.due_on - today).days if review.due_on else None
        review.deadline_met = review.published_on
    review.overdue = (
        review.deadline is not None
        and review.deadline_met is None
        and review.days_left is not None
        and review.days_left < 0
    )
    review.days_late = -review.days_left if review.overdue else 0
    return review


def get_review_for_user(user: User, pk: int, *, manage: bool = False) -> Review:
    """The review, or 404 for someone who may not see it (anyone outside the case team), or
    403 for someone who may see it but not change it when `manage`."""
    review = (
        Review.objects.filter(pk=pk)
        .select_related("notification", "review_type")
        .prefetch_related(_decision_clock())
        .first()
    )
    if review is None or not user.has_perm("casereview.see_review", review):
        raise Http404("No such review.")
    if manage and not user.has_perm("casereview.manage_review", review):
        raise PermissionDenied("Only the case team can change a review.")
    return mark_due(review, timezone.localdate())


# The reviews list -----------------------------------------------------------------------------


@dataclass
class ReviewListing:
    filterset: ReviewFilter
    page: Page


def review_listing(
    user: User,
    data: QueryDict | None,
    *,
    page_number: str | int | None = None,
    today: datetime.date | None = None,
) -> ReviewListing:
    """Reviews, newest first, filtered, 25 to a page, each with its deadline: 403 for anyone
    outside the case team."""
    if not user.has_perm("casereview.see_review"):
        raise PermissionDenied("Reviews are for the Case Review subgroup and the secretariat.")
    today = today or timezone.localdate()
    filterset = ReviewFilter(
        data,
        queryset=Review.objects.select_related("notification", "review_type")
        .prefetch_related(_decision_clock())
        .order_by("-started_on", "-pk"),
    )
    page = Paginator(filterset.qs, REVIEWS_PER_PAGE).get_page(page_number)
    for review in page.object_list:
        mark_due(review, today)
    return ReviewListing(filterset=filterset, page=page)


# One review's page ----------------------------------------------------------------------------


def report_status(report: AgencyReport, today: datetime.date) -> tuple[str, str]:
    """(label, tag colour) of an agency report: received, overdue or requested."""
    if report.received_on is not None:
        return "Received", "green"
    if report.due_on < today:
        return "Overdue", "red"
    return "Requested", "blue"


def mark_action(action: PlanAction, today: datetime.date) -> PlanAction:
    action.overdue = action.status == PlanActionStatus.OPEN and action.due_date < today
    action.days_late = (today - action.due_date).days
    action.days_left = (action.due_date - today).days
    return action


@dataclass
class ReviewPage:
    milestones: list[Milestone]
    reports: list[AgencyReport]
    received: int
    recommendations: list[Recommendation]
    lessons: list[Lesson]


def review_page(review: Review, *, today: datetime.date | None = None) -> ReviewPage:
    """What a review's page shows besides its summary, each list one query."""
    today = today or timezone.localdate()
    milestones = list(review.milestones.order_by("due_on", "pk"))
    for milestone in milestones:
        milestone.overdue = milestone.completed_on is None and milestone.due_on < today
    reports = list(review.agency_reports.select_related("agency").order_by("agency__name"))
    for report in reports:
        report.status_label, report.status_colour = report_status(report, today)
    recommendations = list(
        review.recommendations.order_by("number").prefetch_related(
            Prefetch(
                "actions",
                queryset=PlanAction.objects.select_related("lead_agency", "owner").order_by(
                    "due_date", "pk"
                ),
            )
        )
    )
    for recommendation in recommendations:
        for action in recommendation.actions.all():
            mark_action(action, today)
    lessons = list(
        review.lessons.prefetch_related(
            Prefetch("agencies", queryset=Agency.objects.order_by("name"))
        ).order_by("recorded_at", "pk")
    )
    return ReviewPage(
        milestones=milestones,
        reports=reports,
        received=sum(1 for r in reports if r.received_on is not None),
        recommendations=recommendations,
        lessons=lessons,
    )


def get_milestone_for_user(user: User, pk: int) -> Milestone:
    milestone = Milestone.objects.select_related("review__notification").filter(pk=pk).first()
    if milestone is None or not user.has_perm("casereview.see_review", milestone.review):
        raise Http404("No such milestone.")
    if not user.has_perm("casereview.manage_review", milestone.review):
        raise PermissionDenied("Only the case team can change a review.")
    return milestone


def get_agency_report_for_user(user: User, pk: int) -> AgencyReport:
    report = (
        AgencyReport.objects.select_related("review__notification", "agency").filter(pk=pk).first()
    )
    if report is None or not user.has_perm("casereview.see_review", report.review):
        raise Http404("No such agency report.")
    if not user.has_perm("casereview.manage_review", report.review):
        raise PermissionDenied("Only the case team can change a review.")
    return report


def get_recommendation_for_user(user: User, pk: int) -> Recommendation:
    recommendation = (
        Recommendation.objects.select_related("review__notification").filter(pk=pk).first()
    )
    if recommendation is None or not user.has_perm("casereview.see_review", recommendation.review):
        raise Http404("No such recommendation.")
    if not user.has_perm("casereview.manage_review", recommendation.review):
        raise PermissionDenied("Only the case team can change a review.")
    return recommendation


def review_agencies(review: Review, *, keep: Iterable[int] = ()) -> QuerySet[Agency]:
    """The agencies of the review's case that still take part, to choose from: the notifying
    agency, those involved with the child, those asked for a report and the action plan's lead
    agencies; and those in `keep` (already chosen, perhaps since closed). Any other agency is
    found by its name (hscb.forms.agencies), so the list stays the case's size. The
    case's agencies are read first (one query), so the agencies are looked up by their keys."""
    notification = review.notification
    through = Notification.agencies_involved.through
    involved = through.objects.filter(notification_id=notification.pk).values_list("agency_id")
    reports = AgencyReport.objects.filter(review=review).values_list("agency_id")
    leads = PlanAction.objects.filter(recommendation__review=review).values_list("lead_agency_id")
    # One query; a compound statement takes no ORDER BY in its parts.
    ids = involved.order_by().union(reports.order_by(), leads.order_by())
    case = {notification.agency_id, *(pk for (pk,) in ids)}
    return Agency.objects.filter(Q(pk__in=case, is_active=True) | Q(pk__in=list(keep))).order_by(
        "name"
    )


def lesson_agency_ids(lesson: Lesson) -> list[int]:
    """The keys of the agencies the lesson names."""
    named = Lesson.agencies.through.objects.filter(lesson=lesson).order_by("agency__name")
    return list(named.values_list("agency_id", flat=True))


def owner_choices(*, include: User | None = None) -> list:
    """Who the owner select offers: the Case Review subgroup's members (and `include`, a
    current owner whose account may have closed). Anyone else with an open account is found by
    the field's search, so the page does not grow with the number of accounts."""
    group = clocks.case_review_group()
    if group is None:
        choices: list = [("", "Choose a person")]
        if include is not None:
            choices.append((include.pk, include.get_full_name() or include.email))
        return choices
    return group_owner_choices(group, include=include)


# Action plan actions --------------------------------------------------------------------------


def _actions_for(user: User) -> QuerySet[PlanAction]:
    """Every action for the case team; an owner's own for anyone else."""
    actions = PlanAction.objects.select_related(
        "recommendation__review__notification",
        "recommendation__review__review_type",
        "lead_agency",
        "owner",
    )
    if user.has_perm("casereview.see_review"):
        return actions
    return actions.filter(owner=user)


@dataclass
class PlanActionListing:
    filterset: PlanActionFilter
    page: Page
    is_case_team: bool
    counts: dict[str, int]


def plan_action_listing(
    user: User,
    data: QueryDict | None,
    *,
    page_number: str | int | None = None,
    today: datetime.date | None = None,
) -> PlanActionListing:
    """Action plan actions, by due date, filtered, 25 to a page, with counts of open and
    overdue ones: every action for the case team, their own for everyone else."""
    today = today or timezone.localdate()
    scoped = _actions_for(user)
    counts = scoped.aggregate(
        open=Count("pk", filter=Q(status=PlanActionStatus.OPEN)),
        overdue=Count("pk", filter=Q(status=PlanActionStatus.OPEN, due_date__lt=today)),
    )
    filterset = PlanActionFilter(data, queryset=scoped.order_by("due_date", "pk"), today=today)
    page = Paginator(filterset.qs, ACTIONS_PER_PAGE).get_page(page_number)
    for action in page.object_list:
        mark_action(action, today)
    return PlanActionListing(
        filterset=filterset,
        page=page,
        is_case_team=user.has_perm("casereview.see_review"),
        counts=counts,
    )


def get_plan_action_for_user(user: User, pk: int, *, perm: str | None = None) -> PlanAction:
    """The action, or 404 for someone who may not see it (only the case team and its owner
    may), or 403 for someone who may see it but `perm` is not theirs."""
    action = (
        PlanAction.objects.select_related(
            "recommendation__review__notification",
            "recommendation__review__review_type",
            "lead_agency",
            "owner__agency",
        )
        .filter(pk=pk)
        .first()
    )
    if action is None or not user.has_perm("casereview.see_plan_action", action):
        raise Http404("No such action.")
    if perm and not user.has_perm(perm, action):
        raise PermissionDenied("You cannot do this with this action.")
    return mark_action(action, timezone.localdate())


def plan_action_history(action: PlanAction) -> list[PlanActionUpdate]:
    """The action's dated history, newest first, with who wrote each entry."""
    return list(action.updates.select_related("by").order_by("-at", "-pk"))


# Lessons --------------------------------------------------------------------------------------


@dataclass
class LessonListing:
    """The approved lessons only; `waiting`, for the secretariat, counts those to approve."""

    filterset: LessonFilter
    page: Page
    waiting: int | None = None


def lesson_listing(
    user: User, data: QueryDict | None, *, page_number: str | int | None = None
) -> LessonListing:
    """Lessons learnt that the secretariat has approved, searched and filtered, newest first,
    20 to a page: 403 for anyone without a board role. The review's type and start are loaded,
    never its notification."""
    if not user.has_perm("casereview.see_lessons"):
        raise PermissionDenied("Lessons learnt are for the board's members and secretariat.")
    filterset = LessonFilter(
        data,
        queryset=Lesson.objects.filter(status=LessonStatus.APPROVED)
        .select_related("review__review_type")
        .prefetch_related(Prefetch("agencies", queryset=Agency.objects.order_by("name")))
        .order_by("-recorded_at", "-pk"),
    )
    page = Paginator(filterset.qs, LESSONS_PER_PAGE).get_page(page_number)
    waiting = (
        Lesson.objects.filter(status=LessonStatus.PENDING).count()
        if user.has_perm("casereview.approve_lessons")
        else None
    )
    return LessonListing(filterset=filterset, page=page, waiting=waiting)


def get_lesson_for_user(user: User, pk: int) -> Lesson:
    """A lesson to change: 404 for anyone outside the case team (as its review is), 403 for
    someone who may see the review but not change it."""
    lesson = Lesson.objects.select_related("review__notification").filter(pk=pk).first()
    if lesson is None or not user.has_perm("casereview.see_review", lesson.review):
        raise Http404("No such lesson.")
    if not user.has_perm("casereview.manage_review", lesson.review):
        raise PermissionDenied("Only the case team can change a lesson.")
    return lesson
