"""Reads for the register's issue pages and the good-practice register, scoped to the person
asking. Pages run a fixed number of queries, whatever the number of updates, agencies,
escalations and entries."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, QueryDict

from hscb.models import Agency, Membership, Priority, User
from hscb.selectors.actions import owner_choices as group_owner_choices
from hscb.selectors.plan import current_plan
from subgroups.forms.issues import GoodPracticeFilter
from subgroups.models import Escalation, GoodPractice, Issue, IssueUpdate
from subgroups.services.register import register_group

GOOD_PRACTICE_PER_PAGE = 20
# What the issue and good-practice forms offer to tick; any other is typed by name.
AGENCIES_OFFERED = 30
GOOD_PRACTICE_OFFERED = 10


# Issues -------------------------------------------------------------------------------------------


def get_issue_for_user(user: User, pk: int, *, perm: str | None = None) -> Issue:
    """The issue with what its page shows, or 404 if the user may not see the register, or 403
    if they may see it but `perm` (e.g. "subgroups.change_issue") is not theirs for it."""
    issue = (
        Issue.objects.filter(pk=pk)
        .select_related("group", "owner__agency", "priority__plan", "rating", "created_by")
        .prefetch_related(
            Prefetch("agencies", queryset=Agency.objects.order_by("name")),
            Prefetch("good_practice", queryset=GoodPractice.objects.order_by("title")),
        )
        .first()
    )
    if issue is None or not user.has_perm("subgroups.see_register", issue):
        raise Http404("No such issue.")
    if perm and not user.has_perm(perm, issue):
        raise PermissionDenied("You cannot do this with this issue.")
    return issue


def issue_updates(issue: Issue) -> list[IssueUpdate]:
    """The issue's progress updates and moves of status, newest first, with their authors."""
    return list(issue.updates.select_related("author").order_by("-written_at", "-pk"))


def issue_escalations(issue: Issue) -> list[Escalation]:
    """The issue's escalations to the Strategic Board, newest first, with their meetings."""
    return list(issue.escalations.select_related("meeting__group").order_by("-proposed_at", "-pk"))


def owner_choices(*, include: User | None = None) -> list:
    """Who can own an issue: the Improving Outcomes subgroup's current members first, then
    everyone else with an open account (and `include`, a current owner whose account closed)."""
    return group_owner_choices(register_group(), include=include)


def agency_choices(*, include: QuerySet[Agency] | None = None) -> QuerySet[Agency]:
    """The agencies an issue's form offers to tick: the open agencies represented on the
    Improving Outcomes subgroup now (at most AGENCIES_OFFERED), and any the issue already names.
    Any other agency taking part is typed by name."""
    group = register_group()
    represented = Membership.objects.current().filter(group=group).values("agency")
    offered = list(
        Agency.objects.filter(is_active=True, pk__in=represented)
        .order_by("name")
        .values_list("pk", flat=True)[:AGENCIES_OFFERED]
    )
    named = Q(pk__in=offered)
    if include is not None:
        named |= Q(pk__in=include.values("pk"))
    return Agency.objects.filter(named).order_by("name")


def priority_choices(*, include: Priority | None = None) -> QuerySet[Priority]:
    """The current business plan's priorities (and `include`, an older one the issue has)."""
    plan = current_plan()
    offered = Q(plan=plan) if plan else Q(pk__in=[])
    if include is not None:
        offered |= Q(pk=include.pk)
    return (
        Priority.objects.filter(offered)
        .select_related("plan")
        .order_by("-plan__year", "number", "pk")
    )


def good_practice_choices(*, include: QuerySet[GoodPractice] | None = None):
    """The entries an issue's form offers to tick: the latest GOOD_PRACTICE_OFFERED, and any the
    issue already links. Any other entry is typed by title."""
    latest = list(
        GoodPractice.objects.order_by("-added_at", "-pk").values_list("pk", flat=True)[
            :GOOD_PRACTICE_OFFERED
        ]
    )
    offered = Q(pk__in=latest)
    if include is not None:
        offered |= Q(pk__in=include.values("pk"))
    return GoodPractice.objects.filter(offered).order_by("title", "pk")


# Good practice ------------------------------------------------------------------------------------


@dataclass
class GoodPracticeListing:
    filterset: GoodPracticeFilter
    page: Page
    can_add: bool


def good_practice_listing(
    user: User, data: QueryDict | None, *, page_number: str | int | None = None
) -> GoodPracticeListing:
    """The good-practice register, searched and filtered, newest first, 20 to a page."""
    if not user.has_perm("subgroups.see_good_practice"):
        raise PermissionDenied("The good-practice register is for the board's members.")
    filterset = GoodPracticeFilter(
        data,
        queryset=GoodPractice.objects.prefetch_related(
            Prefetch("agencies", queryset=Agency.objects.order_by("name"))
        ).order_by("-added_at", "-pk"),
    )
    # A filter that is not valid (a made-up scope) is shown with its error and left out.
    page = Paginator(filterset.qs, GOOD_PRACTICE_PER_PAGE).get_page(page_number)
    return GoodPracticeListing(
        filterset=filterset,
        page=page,
        can_add=user.has_perm("subgroups.add_good_practice"),
    )


def get_good_practice_for_user(user: User, pk: int) -> GoodPractice:
    """The entry, or 404 for someone who may not see the good-practice register."""
    practice = (
        GoodPractice.objects.filter(pk=pk)
        .select_related("added_by__agency")
        .prefetch_related(Prefetch("agencies", queryset=Agency.objects.order_by("name")))
        .first()
    )
    if practice is None or not user.has_perm("subgroups.see_good_practice", practice):
        raise Http404("No such entry.")
    return practice


def good_practice_issues(user: User, practice: GoodPractice) -> list[Issue] | None:
    """The register issues linked to the entry, for someone who may see the register; None for
    anyone else (the register is the Improving Outcomes subgroup's)."""
    if not user.has_perm("subgroups.see_register"):
        return None
    return list(practice.issues.select_related("rating").order_by("-score", "review_date", "pk"))
