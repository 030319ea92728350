"""Reads of the Case Review subgroup's cases, the board chair's decisions and possible
duplicates, scoped to the person asking.

Who sees what (casereview/rules.py): the case team (the subgroup's members and the secretariat)
sees every submitted case; the board chair sees a case once it has been put to them; the
secretariat alone resolves duplicates. Someone who may not see a record gets 404; someone who
may see it but not do this with it, 403. Lists run a fixed number of queries however many
cases, clocks, agencies and documents there are.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404, QueryDict
from django.utils import timezone
from django.utils.formats import date_format

from hscb.models import Agency, GroupFunction, Meeting, MeetingStatus, User
from hscb.rules import roles_of

from ..filters.cases import CaseFilter
from ..models import (
    Attachment,
    Clock,
    ClockUnit,
    Decision,
    DuplicateStatus,
    Notification,
    NotificationStatus,
    PossibleDuplicate,
)
from ..services.clocks import days_left

CASES_PER_PAGE = 25
DUPLICATES_PER_PAGE = 10
LATEST_DECISIONS = 20
MEETING_CHOICES = 40


# Clocks, as people read them --------------------------------------------------------------------


def _days(n: int, unit: str) -> str:
    word = "working day" if unit == ClockUnit.WORKING_DAYS else "day"
    return f"{n} {word}{'' if n == 1 else 's'}"


def describe_clock(clock: Clock, today: datetime.date, *, merged: bool = False) -> Clock:
    """Give the clock what its table shows: `left` (days left, negative when overdue, None once
    met or stopped), `is_overdue`, `is_met`, `met_late`, `is_stopped` and `status_text`."""
    clock.is_met = clock.met_on is not None
    clock.met_late = clock.is_met and clock.met_on > clock.due_on
    clock.is_stopped = merged and not clock.is_met
    clock.left = None
    clock.is_overdue = False
    if clock.is_met:
        clock.status_text = f"Met on {date_format(clock.met_on)}" + (
            " (late)" if clock.met_late else ""
        )
    elif clock.is_stopped:
        clock.status_text = "Stopped: the notification was merged into another"
    else:
        clock.left = days_left(clock, today)
        clock.is_overdue = clock.left < 0
        if clock.is_overdue:
            clock.status_text = f"Overdue by {_days(-clock.left, clock.unit)}"
        elif clock.left == 0:
            clock.status_text = "Due today"
        else:
            clock.status_text = f"{_days(clock.left, clock.unit)} left"
    return clock


def _running_clocks() -> Prefetch:
    return Prefetch(
        "clocks",
        queryset=Clock.objects.filter(met_on__isnull=True).order_by("due_on", "pk"),
        to_attr="running_clocks",
    )


def _describe_running(notifications: list[Notification], today: datetime.date) -> None:
    for notification in notifications:
        merged = notification.status == NotificationStatus.MERGED
        for clock in notification.running_clocks:
            describe_clock(clock, today, merged=merged)
        notification.next_clock = (
            notification.running_clocks[0] if notification.running_clocks else None
        )


# The list of cases ------------------------------------------------------------------------------


def _open_duplicate() -> Exists:
    return Exists(
        PossibleDuplicate.objects.filter(
            Q(notification=OuterRef("pk")) | Q(match=OuterRef("pk")), status=DuplicateStatus.OPEN
        )
    )


@dataclass
class CaseListing:
    filterset: CaseFilter
    page: Page
    today: datetime.date
    can_resolve_duplicates: bool
    can_see_decisions: bool


def case_listing(
    user: User,
    data: QueryDict | None,
    *,
    page_number: str | int | None = None,
    today: datetime.date | None = None,
) -> CaseListing:
    """The submitted cases, newest first, filtered, 25 to a page, each with its next running
    deadline and whether it may duplicate another. 403 for anyone outside the case team."""
    if not user.has_perm("casereview.see_cases"):
        raise PermissionDenied("The cases are for the Case Review subgroup and the secretariat.")
    today = today or timezone.localdate()
    queryset = (
        Notification.objects.submitted()
        .select_related("agency")
        .annotate(has_open_duplicate=_open_duplicate())
        .prefetch_related(_running_clocks())
        .order_by("-submitted_at", "-pk")
    )
    filterset = CaseFilter(data, queryset=queryset, today=today)
    page = Paginator(filterset.qs, CASES_PER_PAGE).get_page(page_number)
    _describe_running(page.object_list, today)
    return CaseListing(
        filterset=filterset,
        page=page,
        today=today,
        can_resolve_duplicates=user.has_perm("casereview.resolve_duplicates"),
        can_see_decisions=user.has_perm("casereview.see_decisions_waiting"),
    )


# One case -------------------------------------------------------------------------------------


def get_case_for_user(user: User, pk: int, *, perm: str | None = None) -> Notification:
    """The case with everything its pages show: 404 for a draft or for someone who may not
    see it; 403 for someone who may see it but not `perm` (e.g. "casereview.decide_case")."""
    notification = (
        Notification.objects.filter(pk=pk)
        .select_related(
            "agency",
            "notifier",
            "home_area",
            "case_officer",
            "merged_into",
            "consideration__recommendation",
            "consideration__meeting__group",
            "consideration__recorded_by",
            "decision__review_type",
            "decision__decided_by",
            "review__review_type",
        )
        .prefetch_related(
            Prefetch("agencies_involved", queryset=Agency.objects.order_by("name")),
            Prefetch(
                "attachments",
                queryset=Attachment.objects.select_related("uploaded_by").order_by(
                    "uploaded_at", "pk"
                ),
            ),
            Prefetch("clocks", queryset=Clock.objects.order_by("starts_on", "pk")),
            Prefetch("merged", queryset=Notification.objects.order_by("submitted_at", "pk")),
        )
        .first()
    )
    if notification is None or not user.has_perm("casereview.see_case", notification):
        raise Http404("No such case.")
    if perm and not user.has_perm(perm, notification):
        raise PermissionDenied(
            "Only the board chair decides whether a review is held."
            if perm == "casereview.decide_case"
            else "Only the Case Review subgroup and the secretariat work on cases."
        )
    return notification


def case_clocks(notification: Notification, today: datetime.date | None = None) -> list[Clock]:
    """Every clock of the case, in the order they started, described for its table."""
    today = today or timezone.localdate()
    merged = notification.status == NotificationStatus.MERGED
    return [describe_clock(clock, today, merged=merged) for clock in notification.clocks.all()]


@dataclass
class DuplicateLine:
    flag: PossibleDuplicate
    other: Notification


def case_duplicates(notification: Notification) -> list[DuplicateLine]:
    """The case's open possible duplicates and the notifications linked to it as the same
    child, whichever side of the pair it is on."""
    flags = (
        PossibleDuplicate.objects.filter(
            Q(notification=notification) | Q(match=notification),
            status__in=[DuplicateStatus.OPEN, DuplicateStatus.LINKED],
        )
        .select_related("notification", "match")
        .order_by("-status", "flagged_at", "pk")
    )
    lines = []
    for flag in flags:
        other = flag.match if flag.notification_id == notification.pk else flag.notification
        lines.append(DuplicateLine(flag=flag, other=other))
    return lines


def consideration_meetings(*, include: Meeting | None = None) -> list[Meeting]:
    """The Case Review subgroup's meetings that may have considered a case: held or scheduled
    (not cancelled), up to today, latest first."""
    end_of_today = timezone.make_aware(
        datetime.datetime.combine(
            timezone.localdate() + datetime.timedelta(days=1), datetime.time.min
        )
    )
    meetings = list(
        Meeting.objects.filter(
            group__function=GroupFunction.CASE_REVIEW, starts_at__lt=end_of_today
        )
        .exclude(status=MeetingStatus.CANCELLED)
        .select_related("group")
        .order_by("-starts_at", "-pk")[:MEETING_CHOICES]
    )
    if include is not None and include not in meetings:
        meetings.append(include)
    return meetings


# Documents -------------------------------------------------------------------------------------


def get_attachment_for_user(user: User, pk: int) -> Attachment:
    """A notification's document, for those who may see the case or the child's details on
    the notification: the case team (and the board chair once the case is theirs), the notifier
    and their agency's named safeguarding leads (a document may name the child). 404 for anyone
    else, the notifying agency's other staff included."""
    attachment = Attachment.objects.filter(pk=pk).select_related("notification").first()
    if attachment is None:
        raise Http404("No such document.")
    notification = attachment.notification
    if not (
        user.has_perm("casereview.see_case", notification)
        or user.has_perm("casereview.see_notification_child", notification)
    ):
        raise Http404("No such document.")
    return attachment


# The board chair's decisions ------------------------------------------------------------------


@dataclass
class DecisionListing:
    """`page` holds the cases awaiting the board chair's decision, `waiting` those of the page."""

    page: Page
    latest: list[Decision]
    today: datetime.date
    is_board_chair: bool

    @property
    def waiting(self) -> list[Notification]:
        return self.page.object_list


def awaiting_decision() -> QuerySet[Notification]:
    """The keys of the cases awaiting the board chair's decision, waiting longest first."""
    return (
        Notification.objects.filter(status=NotificationStatus.CONSIDERED)
        .order_by("consideration__recorded_at", "pk")
        .values_list("pk", flat=True)
    )


def decision_cases(keys: Iterable[int], *, clocks: bool = False) -> list[Notification]:
    """The cases of `keys`, in that order, with their consideration (its recommendation and
    meeting) and, with `clocks`, their running deadlines. A list's page is found on the keys
    alone (`awaiting_decision`), then only its cases are read in full: sorting every case
    waiting with its consideration's meeting and recommendation would read them all."""
    keys = list(keys)
    cases = (
        Notification.objects.filter(pk__in=keys)
        .select_related("consideration__recommendation", "consideration__meeting")
        .order_by()
    )
    if clocks:
        cases = cases.prefetch_related(_running_clocks())
    found = {case.pk: case for case in cases}
    return [found[pk] for pk in keys if pk in found]


def decision_listing(
    user: User, *, page_number: str | int | None = None, today: datetime.date | None = None
) -> DecisionListing:
    """Cases awaiting the board chair's decision (oldest considered first), 25 to a page, with
    their running deadlines, and the latest decisions. References only. 403 for anyone but the
    board chair and the secretariat."""
    if not user.has_perm("casereview.see_decisions_waiting"):
        raise PermissionDenied("Decisions are for the board chair and the secretariat.")
    today = today or timezone.localdate()
    page = Paginator(awaiting_decision(), CASES_PER_PAGE).get_page(page_number)
    page.object_list = decision_cases(page.object_list, clocks=True)
    _describe_running(page.object_list, today)
    latest = list(
        Decision.objects.select_related("notification", "review_type").order_by(
            "-decided_on", "-pk"
        )[:LATEST_DECISIONS]
    )
    return DecisionListing(
        page=page,
        latest=latest,
        today=today,
        is_board_chair=roles_of(user).is_board_chair,
    )


# Possible duplicates --------------------------------------------------------------------------


def _duplicates() -> QuerySet[PossibleDuplicate]:
    by_name = Agency.objects.order_by("name")
    return PossibleDuplicate.objects.select_related(
        "notification__agency", "match__agency", "resolved_by"
    ).prefetch_related(
        Prefetch("notification__agencies_involved", queryset=by_name),
        Prefetch("match__agencies_involved", queryset=by_name),
    )


@dataclass
class DuplicateListing:
    page: Page
    resolved: list[PossibleDuplicate] = field(default_factory=list)


def duplicate_listing(user: User, *, page_number: str | int | None = None) -> DuplicateListing:
    """The open possible duplicates, oldest flagged first, 10 to a page, each pair with the
    details to compare; and the latest resolved. 403 for anyone but the secretariat."""
    if not user.has_perm("casereview.resolve_duplicates"):
        raise PermissionDenied("Possible duplicates are resolved by the secretariat.")
    open_flags = _duplicates().filter(status=DuplicateStatus.OPEN).order_by("flagged_at", "pk")
    page = Paginator(open_flags, DUPLICATES_PER_PAGE).get_page(page_number)
    resolved = list(
        PossibleDuplicate.objects.exclude(status=DuplicateStatus.OPEN)
        .select_related("notification", "match", "resolved_by")
        .order_by("-resolved_at", "-pk")[:DUPLICATES_PER_PAGE]
    )
    return DuplicateListing(page=page, resolved=resolved)


def get_duplicate_for_user(user: User, pk: int) -> PossibleDuplicate:
    """The possible duplicate, for the secretariat; 403 for the rest of the case team, who see
    the cases but do not resolve duplicates; 404 for anyone else."""
    flag = _duplicates().filter(pk=pk).first()
    if flag is None or not user.has_perm("casereview.see_cases"):
        raise Http404("No such possible duplicate.")
    if not user.has_perm("casereview.resolve_duplicates", flag):
        raise PermissionDenied("Only the secretariat resolves possible duplicates.")
    return flag
