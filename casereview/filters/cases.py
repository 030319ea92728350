"""The Case Review subgroup's list of cases: a django-filter FilterSet rendered as a GOV.UK form
(GET): status, notifying agency, deadlines overdue or due soon, and a search."""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, QuerySet
from django.http import QueryDict
from django.utils import timezone
from django_filters import fields as filter_fields

from hscb.filters import FilterForm
from hscb.lib.workingdays import add_working_days
from hscb.models import Agency

from ..models import Clock, Notification, NotificationStatus

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


class AgencyChoiceField(filter_fields.ModelChoiceField):
    def label_from_instance(self, obj: Agency) -> str:
        return obj.name

    def to_python(self, value):
        # A value the database cannot hold as a key is a wrong choice, not a crash.
        if value not in self.empty_values and not (
            isinstance(value, str) and value.isdigit() and len(value) <= 18
        ):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class AgencyFilter(django_filters.ModelChoiceFilter):
    field_class = AgencyChoiceField


def running(**lookups) -> Exists:
    """A running deadline on the case (one not met), with these lookups."""
    return Exists(Clock.objects.filter(notification=OuterRef("pk"), met_on__isnull=True, **lookups))


class CaseFilter(django_filters.FilterSet):
    """Search by reference and filter by status, notifying agency and deadlines. The agencies
    offered are those that have notified.

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
    agency = AgencyFilter(
        label="Notifying agency", queryset=Agency.objects.none(), empty_label="Any agency"
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
        self.filters["agency"].queryset = Agency.objects.filter(
            pk__in=Notification.objects.submitted().values("agency_id")
        ).order_by("name")

    def search(
        self, queryset: QuerySet[Notification], name: str, value: str
    ) -> QuerySet[Notification]:
        for word in value.split():
            queryset = queryset.filter(reference__icontains=word)
        return queryset

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
