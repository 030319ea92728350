"""Reads of the business plan. Every signed-in person may read the plan; each read here runs a
fixed number of queries however many priorities, targets and objectives the plan has."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from hscb.models import (
    RAG_MEANING,
    BusinessPlan,
    Group,
    GroupResource,
    Objective,
    Priority,
    ProgressUpdate,
    Rag,
    Target,
    User,
)

# GOV.UK tag colours for a rating; an empty rating is "Not assessed".
RAG_TAG_CLASS = {
    Rag.RED: "govuk-tag--red",
    Rag.AMBER: "govuk-tag--orange",
    Rag.GREEN: "govuk-tag--green",
    "": "govuk-tag--grey",
}
NOT_ASSESSED = "Not assessed"


def business_year(day: datetime.date | None = None) -> int:
    """The year the business year holding `day` (today in Europe/London) starts: the board's
    year runs from April to March, so 15 March 2027 is in 2026's year."""
    day = day or timezone.localdate()
    return day.year if day.month >= 4 else day.year - 1


def current_plan(day: datetime.date | None = None) -> BusinessPlan | None:
    """The plan for the business year holding `day`, or else the latest plan, or None."""
    return (
        BusinessPlan.objects.filter(year=business_year(day)).first()
        or BusinessPlan.objects.order_by("-year").first()
    )


@dataclass(frozen=True)
class RagCounts:
    """How many priorities are rated red, amber and green, and how many are not assessed."""

    red: int = 0
    amber: int = 0
    green: int = 0
    not_assessed: int = 0

    @property
    def total(self) -> int:
        return self.red + self.amber + self.green + self.not_assessed

    def rows(self) -> list[tuple[str, str, int]]:
        """(label, tag class, count) in the order the plan page and dashboards show them."""
        return [
            (Rag.RED.label, RAG_TAG_CLASS[Rag.RED], self.red),
            (Rag.AMBER.label, RAG_TAG_CLASS[Rag.AMBER], self.amber),
            (Rag.GREEN.label, RAG_TAG_CLASS[Rag.GREEN], self.green),
            (NOT_ASSESSED, RAG_TAG_CLASS[""], self.not_assessed),
        ]


def rag_counts(priorities: list[Priority]) -> RagCounts:
    """Counts of priorities already loaded (no query)."""
    ratings = [p.rag for p in priorities]
    return RagCounts(
        red=ratings.count(Rag.RED),
        amber=ratings.count(Rag.AMBER),
        green=ratings.count(Rag.GREEN),
        not_assessed=sum(1 for r in ratings if r not in Rag.values),
    )


def rag_counts_for_plan(plan: BusinessPlan, *, group: Group | None = None) -> RagCounts:
    """Counts of a plan's priorities by rating, in one query: all of them, or those `group`
    leads on. For the dashboards."""
    priorities = Priority.objects.filter(plan=plan)
    if group is not None:
        priorities = priorities.filter(groups=group)
    by_rag = dict(priorities.values_list("rag").annotate(n=Count("pk", distinct=True)))
    return RagCounts(
        red=by_rag.get(Rag.RED, 0),
        amber=by_rag.get(Rag.AMBER, 0),
        green=by_rag.get(Rag.GREEN, 0),
        not_assessed=sum(n for rag, n in by_rag.items() if rag not in Rag.values),
    )


def with_rag_labels(rated: list[Priority] | list[ProgressUpdate]) -> list:
    """Give each priority or rating its tag class and what its rating means, for templates
    (`templates/hscb/partials/plan_rag_tag.html`). No query."""
    for obj in rated:
        obj.rag_tag_class = RAG_TAG_CLASS.get(obj.rag, RAG_TAG_CLASS[""])
        obj.rag_label = obj.get_rag_display() if obj.rag else NOT_ASSESSED
        obj.rag_meaning = RAG_MEANING.get(obj.rag, "")
    return rated


def priorities_with_details() -> QuerySet[Priority]:
    """Priorities with their owner, who last rated them, lead groups, targets (with owners) and
    linked objectives (with their groups) loaded: four queries whatever their number."""
    return Priority.objects.select_related("owner", "progress_updated_by").prefetch_related(
        Prefetch("groups", queryset=Group.objects.order_by("order", "name")),
        Prefetch("targets", queryset=Target.objects.select_related("owner")),
        Prefetch(
            "objectives",
            queryset=Objective.objects.select_related("group").order_by(
                "group__order", "order", "pk"
            ),
        ),
    )


@dataclass
class PlanPage:
    plan: BusinessPlan
    priorities: list[Priority]
    resources: list[GroupResource]
    other_years: list[int]
    counts: RagCounts
    updatable: frozenset[int]  # the priorities the reader may rate

    @property
    def total_budget(self) -> Decimal | None:
        budgets = [r.budget for r in self.resources if r.budget is not None]
        return sum(budgets) if budgets else None


def plan_page_for_user(user: User, year: int) -> PlanPage:
    """Everything the plan page shows, or 404 when there is no plan for `year`."""
    plan = BusinessPlan.objects.filter(year=year).first()
    if plan is None:
        raise Http404("There is no business plan for that year.")
    priorities = with_rag_labels(list(priorities_with_details().filter(plan=plan)))
    resources = list(
        GroupResource.objects.filter(plan=plan)
        .select_related("group")
        .order_by("group__order", "group__name")
    )
    other_years = list(
        BusinessPlan.objects.exclude(pk=plan.pk).order_by("-year").values_list("year", flat=True)
    )
    updatable = frozenset(
        p.pk for p in priorities if user.has_perm("hscb.update_priority_progress", p)
    )
    return PlanPage(
        plan=plan,
        priorities=priorities,
        resources=resources,
        other_years=other_years,
        counts=rag_counts(priorities),
        updatable=updatable,
    )


def get_priority_for_update(user: User, pk: int) -> Priority:
    """A priority whose progress `user` may record: 404 when there is none, 403 when they may
    not rate it (everyone may read the plan, so it is no secret that it exists)."""
    priority = (
        Priority.objects.select_related("plan", "owner", "progress_updated_by")
        .prefetch_related(Prefetch("groups", queryset=Group.objects.order_by("order", "name")))
        .filter(pk=pk)
        .first()
    )
    if priority is None:
        raise Http404("No such priority.")
    if not user.has_perm("hscb.update_priority_progress", priority):
        raise PermissionDenied(
            "Only the priority's owner, the chairs of its lead groups, the board's chair and "
            "the secretariat can record its progress."
        )
    return with_rag_labels([priority])[0]


def progress_history(priority: Priority) -> list[ProgressUpdate]:
    """Every rating of the priority, newest first, with who gave it."""
    return with_rag_labels(
        list(priority.updates.select_related("author").order_by("-written_at", "-pk"))
    )
