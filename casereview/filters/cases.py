"""The Case Review subgroup's list of cases: a django-filter FilterSet rendered as a GOV.UK form
(GET): status, notifying agency, deadlines overdue or due soon, and a search."""

from __future__ import annotations

import datetime

import django_filters
from django.db.models import Exists, OuterRef, QuerySet
from django.http import QueryDict
from django.utils import timezone

from hscb.filters import FilterForm
from hscb.lib.workingdays import add_working_days

from ..models import Clock, Notification, NotificationStatus
from . import AGENCY_HINT, AGENCY_SEARCH_MAX, agency_words

OVERDUE = "overdue"
DUE_SOON = "due_soon"
DUE_SOON_WORKING_DAYS = 5
DEADLINE_CHOICES = [
    (OVERDUE, "Overdue"),
    (DUE_SOON, f"Due within {DUE_SOON_WORKING_DAYS} working days"),
]
# As the cases' status tags name them (casereview/partials/case_status.html).
STATUS_CHOICES = [
    (NotificationStatus.SUBMITTED, "With the subgroup"),
    (NotificationStatus.CONSIDERED, "Awaiting the board chair's decision"),
    (NotificationStatus.DECIDED, "Decided"),
    (NotificationStatus.MERGED, "Merged into another notification"),
]


def running(**lookups) -> Exists:
    """A running deadline on the case (one not met), with these lookups."""
    return Exists(Clock.objects.filter(notification=OuterRef("pk"), met_on__isnull=True, **lookups))


class CaseFilter(django_filters.FilterSet):
    """Search by reference and filter by status, notifying agency (words in its name) and
    deadlines.

    The list names no child and is not searched by a child's name or NHS number: what is typed
    here goes into the page's address, and addresses are kept in browser histories and server
    logs. A child's details are seen on the case page, where each view is logged."""

    q = django_filters.CharFilter(
        label="Search",
        method="search",
        max_length=200,
        help_text="All or part of a reference, like SIN-2026-00012.",
    )
    status = django_filters.ChoiceFilter(
        label="Status", choices=STATUS_CHOICES, empty_label="Any status"
    )
    agency = django_filters.CharFilter(
        label="Notifying agency",
        method="filter_agency",
        max_length=AGENCY_SEARCH_MAX,
        help_text=AGENCY_HINT,
    )
    deadline = django_filters.ChoiceFilter(
        label="Deadlines",
        choices=DEADLINE_CHOICES,
        method="filter_deadline",
        empty_label="Any",
    )

    class Meta:
        model = Notification
        fields = ["q", "status", "agency", "deadline"]
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

    def search(
        self, queryset: QuerySet[Notification], name: str, value: str
    ) -> QuerySet[Notification]:
        for word in value.split():
            queryset = queryset.filter(reference__icontains=word)
        return queryset

    def filter_agency(
        self, queryset: QuerySet[Notification], name: str, value: str
    ) -> QuerySet[Notification]:
        return queryset.filter(agency_words(value, prefix="agency__"))

    def filter_deadline(
        self, queryset: QuerySet[Notification], name: str, value: str
    ) -> QuerySet[Notification]:
        live = queryset.exclude(status=NotificationStatus.MERGED)
        if value == OVERDUE:
            return live.filter(running(due_on__lt=self.today))
        if value == DUE_SOON:
            until = add_working_days(self.today, DUE_SOON_WORKING_DAYS)
            return live.filter(running(due_on__gte=self.today, due_on__lte=until))
        return queryset
