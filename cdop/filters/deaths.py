"""The panel's list of cases: a django-filter FilterSet rendered as a GOV.UK form (GET): a
search by reference, status, expected or unexpected, age band, year of death, neonatal, and
which panel reviews."""

from __future__ import annotations

import django_filters
from django.db.models import Max, Min, QuerySet
from django.http import QueryDict

from hscb.filters import FilterForm

from ..models import AgeBand, ChildDeath, DeathStatus, Expectation

OURS = "ours"
ELSEWHERE = "elsewhere"
REVIEWING_CHOICES = [(OURS, "Our panel"), (ELSEWHERE, "Another area's panel")]
NEONATAL_CHOICES = [("yes", "Neonatal (under 28 days)"), ("no", "Not neonatal")]


def death_years() -> list[int]:
    """The years from the latest death recorded back to the earliest, newest first: read from
    the ends of an index (cdop_death_latest_idx), not by looking at every death."""
    span = ChildDeath.objects.aggregate(first=Min("died_on"), last=Max("died_on"))
    if span["first"] is None:
        return []
    return list(range(span["last"].year, span["first"].year - 1, -1))


class DeathFilter(django_filters.FilterSet):
    """Search by reference and filter by the case's facts. The list names no child and is not
    searched by a child's name or NHS number: what is typed here goes into the page's address,
    and addresses are kept in browser histories and server logs. A child's details are seen on
    the case page, where each view is logged."""

    q = django_filters.CharFilter(
        label="Search",
        method="search",
        max_length=200,
        help_text="All or part of a reference, like CDOP-2026-00012.",
    )
    status = django_filters.ChoiceFilter(
        label="Status", choices=DeathStatus.choices, empty_label="Any status"
    )
    expectation = django_filters.ChoiceFilter(
        label="Expected or unexpected", choices=Expectation.choices, empty_label="Either"
    )
    band = django_filters.ChoiceFilter(
        label="Age band", choices=AgeBand.choices, empty_label="Any age"
    )
    year = django_filters.ChoiceFilter(
        label="Year of death", field_name="died_on__year", choices=[], empty_label="Any year"
    )
    neonatal = django_filters.ChoiceFilter(
        label="Neonatal",
        choices=NEONATAL_CHOICES,
        method="filter_neonatal",
        empty_label="Either",
    )
    reviewing = django_filters.ChoiceFilter(
        label="Reviewing panel",
        choices=REVIEWING_CHOICES,
        method="filter_reviewing",
        empty_label="Either",
    )

    class Meta:
        model = ChildDeath
        fields = ["q", "status", "expectation", "band", "year", "neonatal", "reviewing"]
        form = FilterForm

    def __init__(self, data: QueryDict | None = None, *args, **kwargs) -> None:
        super().__init__(data, *args, **kwargs)
        self.filters["year"].extra["choices"] = [(str(y), str(y)) for y in death_years()]

    def search(self, queryset: QuerySet[ChildDeath], name: str, value: str) -> QuerySet:
        for word in value.split():
            queryset = queryset.filter(reference__icontains=word)
        return queryset

    def filter_neonatal(self, queryset: QuerySet[ChildDeath], name: str, value: str) -> QuerySet:
        return queryset.filter(is_neonatal=value == "yes")

    def filter_reviewing(self, queryset: QuerySet[ChildDeath], name: str, value: str) -> QuerySet:
        return queryset.filter(reviewing_area__is_home=value == OURS)
