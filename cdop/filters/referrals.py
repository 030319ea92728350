"""The coordinator's page of cross-area referrals: a django-filter FilterSet rendered as a GOV.UK
form (GET): direction, status, and whether a step is awaited or overdue."""

from __future__ import annotations

import datetime

import django_filters
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone

from hscb.filters import FilterForm

from ..models import Direction, Referral, ReferralStatus

AWAITED = "awaited"
OVERDUE = "overdue"
AWAITING_CHOICES = [(AWAITED, "A step is awaited"), (OVERDUE, "The step awaited is overdue")]


class ReferralFilter(django_filters.FilterSet):
    """Search by the case's reference and filter by direction, status and the step awaited."""

    q = django_filters.CharFilter(
        label="Search",
        method="search",
        max_length=200,
        help_text="All or part of a case's reference, like CDOP-2026-00012.",
    )
    direction = django_filters.ChoiceFilter(
        label="Direction", choices=Direction.choices, empty_label="Either"
    )
    status = django_filters.ChoiceFilter(
        label="Status", choices=ReferralStatus.choices, empty_label="Any status"
    )
    awaiting = django_filters.ChoiceFilter(
        label="Step awaited",
        choices=AWAITING_CHOICES,
        method="filter_awaiting",
        empty_label="Any",
    )

    class Meta:
        model = Referral
        fields = ["q", "direction", "status", "awaiting"]
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

    def search(self, queryset: QuerySet[Referral], name: str, value: str) -> QuerySet:
        for word in value.split():
            queryset = queryset.filter(death__reference__icontains=word)
        return queryset

    def filter_awaiting(self, queryset: QuerySet[Referral], name: str, value: str) -> QuerySet:
        awaited = queryset.exclude(status=ReferralStatus.OUTCOME_REPORTED)
        if value == OVERDUE:
            return awaited.filter(next_step_due__lt=self.today)
        return awaited
