"""The register's filters and sort order: a django-filter FilterSet rendered as a GOV.UK form
(GET), shared by the register page and its CSV and Excel exports."""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import QueryDict
from django.utils import timezone
from django_filters import fields as filter_fields

from hscb.filters import FilterForm, _WithDefaults
from hscb.forms.board import QuickSelect
from hscb.models import Priority
from subgroups.models import Issue, IssueStatus, RiskRating
from subgroups.models.register import OPEN_ISSUE_STATUSES

LIVE = "live"
ANY = "any"
STATUS_CHOICES = [
    (LIVE, "Live: open, monitoring or escalated"),
    *IssueStatus.choices,
    (ANY, "Any status"),
]

# The words of the 5 by 5 risk matrix: likelihood (rows) and impact (columns).
LIKELIHOOD_LABELS = {1: "rare", 2: "unlikely", 3: "possible", 4: "likely", 5: "almost certain"}
IMPACT_LABELS = {1: "negligible", 2: "minor", 3: "moderate", 4: "major", 5: "severe"}

# Sort orders: the key in the address, its label, and the ordering. Each ends with the primary
# key so that pages never repeat or skip an issue.
SORTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "risk": ("Highest risk first", ("-score", "review_date", "pk")),
    "review": ("Review date, soonest first", ("review_date", "-score", "pk")),
    "newest": ("Newest first", ("-created_at", "-pk")),
    "title": ("Title, A to Z", ("title", "pk")),
}
DEFAULT_SORT = "risk"
SEARCH_MAX = 200
# The business plans whose priorities the filter offers: this year's and the two before.
PLAN_YEARS_OFFERED = 3


def _filter_status(queryset: QuerySet[Issue], name: str, value: str) -> QuerySet[Issue]:
    if value == LIVE:
        return queryset.filter(status__in=OPEN_ISSUE_STATUSES)
    if value in IssueStatus.values:
        return queryset.filter(status=value)
    return queryset


class PriorityChoiceField(filter_fields.ModelChoiceField):
    def label_from_instance(self, obj: Priority) -> str:
        return f"{obj.plan.period}: {obj}"


class PriorityFilter(django_filters.ModelChoiceFilter):
    field_class = PriorityChoiceField


def _words(value: str) -> list[str]:
    return value.split()


def _filter_agency(queryset: QuerySet[Issue], name: str, value: str) -> QuerySet[Issue]:
    """Issues naming an agency whose name or short name holds every word typed."""
    named = Issue.agencies.through.objects.filter(issue_id=OuterRef("pk"))
    for word in _words(value):
        named = named.filter(
            Q(agency__name__icontains=word) | Q(agency__short_name__icontains=word)
        )
    return queryset.filter(Exists(named))


def _filter_owner(queryset: QuerySet[Issue], name: str, value: str) -> QuerySet[Issue]:
    """Issues whose owner's first name, last name or email holds each word typed."""
    for word in _words(value):
        queryset = queryset.filter(
            Q(owner__first_name__icontains=word)
            | Q(owner__last_name__icontains=word)
            | Q(owner__email__icontains=word)
        )
    return queryset


def _scale(labels: dict[int, str]) -> list[tuple[int, str]]:
    return [(n, f"{n}: {label}") for n, label in labels.items()]


class IssueFilter(_WithDefaults):
    """The register's filters: status (live by default), rating, agency named, business-plan
    priority (or none), owner, likelihood, impact, overdue review only, and the sort order.

    Agencies and owners are searched by name rather than chosen from a list, which would hold
    every agency and every person the register has ever named. The priorities offered are those
    of the last few plans, and the one chosen (an older plan's, from the priorities page).
    """

    status = django_filters.ChoiceFilter(
        label="Status", choices=STATUS_CHOICES, method=_filter_status, empty_label=None
    )
    rating = django_filters.ModelChoiceFilter(
        label="Rating", queryset=RiskRating.objects.none(), empty_label="Any rating"
    )
    agency = django_filters.CharFilter(
        label="Agency named",
        help_text="Words in the agency's name.",
        method=_filter_agency,
        max_length=SEARCH_MAX,
    )
    priority = PriorityFilter(
        label="Business plan priority",
        widget=QuickSelect,
        queryset=Priority.objects.none(),
        empty_label="Any priority",
        null_label="No priority",
    )
    owner = django_filters.CharFilter(
        label="Owner",
        help_text="Words in the owner's name or email address.",
        method=_filter_owner,
        max_length=SEARCH_MAX,
    )
    likelihood = django_filters.ChoiceFilter(
        label="Likelihood", choices=_scale(LIKELIHOOD_LABELS), empty_label="Any"
    )
    impact = django_filters.ChoiceFilter(
        label="Impact", choices=_scale(IMPACT_LABELS), empty_label="Any"
    )
    overdue = django_filters.BooleanFilter(
        label="Overdue review only", method="filter_overdue", widget=forms.CheckboxInput
    )
    sort = django_filters.ChoiceFilter(
        label="Sort by",
        choices=[(key, label) for key, (label, _) in SORTS.items()],
        method="sort_by",
        empty_label=None,
    )
    defaults = {"status": LIVE, "sort": DEFAULT_SORT}

    class Meta:
        model = Issue
        fields = ["status", "rating", "agency", "priority", "owner", "likelihood", "impact"]
        form = FilterForm

    def __init__(
        self,
        data: QueryDict | None = None,
        *args,
        today: datetime.date | None = None,
        **kwargs,
    ) -> None:
        super().__init__(data, *args, **kwargs)
        self.today = today or timezone.localdate()
        self.filters["rating"].queryset = RiskRating.objects.order_by("min_score")
        offered = Q(plan__year__gt=self.today.year - PLAN_YEARS_OFFERED)
        chosen = self.data.get("priority", "")
        if chosen.isascii() and chosen.isdigit() and len(chosen) < 10:
            offered |= Q(pk=int(chosen))
        self.filters["priority"].queryset = (
            Priority.objects.filter(offered)
            .select_related("plan")
            .order_by("-plan__year", "number", "pk")
        )

    def filter_overdue(self, queryset: QuerySet[Issue], name: str, value: bool) -> QuerySet[Issue]:
        if value:
            return queryset.filter(status__in=OPEN_ISSUE_STATUSES, review_date__lt=self.today)
        return queryset

    def sort_by(self, queryset: QuerySet[Issue], name: str, value: str) -> QuerySet[Issue]:
        return queryset.order_by(*SORTS.get(value, SORTS[DEFAULT_SORT])[1])

    @property
    def qs(self) -> QuerySet[Issue]:
        # An unreadable status or sort falls back on the default (the form shows the error),
        # rather than on every issue or on the model's ordering.
        if not hasattr(self, "_qs"):
            queryset = super().qs
            cleaned = self.form.cleaned_data
            if not cleaned.get("status"):
                queryset = _filter_status(queryset, "status", LIVE)
            if not cleaned.get("sort"):
                queryset = queryset.order_by(*SORTS[DEFAULT_SORT][1])
            self._qs = queryset
        return self._qs
