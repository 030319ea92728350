"""Filters of the reviews list, the action plan actions list and the lessons learnt: django-filter
FilterSets rendered as GOV.UK forms (GET). Each list of choices is one query, whatever the data;
agencies are searched by the words of their names rather than listed. A value that cannot be
read is shown with its error and left out."""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import QueryDict
from django.utils import timezone

from hscb.filters import FilterForm, SearchFilterForm, _WithDefaults
from hscb.models import Rag

from ..models import (
    Lesson,
    LessonStatus,
    Outcome,
    PlanAction,
    PlanActionStatus,
    PracticeArea,
    Review,
    ReviewStatus,
    ReviewType,
)
from . import AGENCY_HINT, AGENCY_SEARCH_MAX, agency_words

ANY = "any"
SEARCH_MAX = 200


def _review_types() -> QuerySet[ReviewType]:
    """The types a review can be of: every type but "no review"."""
    return ReviewType.objects.exclude(outcome=Outcome.NO_REVIEW).order_by("order", "name")


def _years(dates: QuerySet) -> list[tuple[str, str]]:
    return [(str(day.year), str(day.year)) for day in dates]


def _review_years() -> list[tuple[str, str]]:
    return _years(Review.objects.dates("started_on", "year", order="DESC"))


class ReviewFilter(django_filters.FilterSet):
    """The reviews list: by status, type and the year the review started."""

    status = django_filters.ChoiceFilter(
        label="Status", choices=ReviewStatus.choices, empty_label="Any status"
    )
    review_type = django_filters.ModelChoiceFilter(
        label="Type of review", queryset=ReviewType.objects.none(), empty_label="Any type"
    )
    year = django_filters.ChoiceFilter(
        label="Year started", choices=_review_years, empty_label="Any year", method="in_year"
    )

    class Meta:
        model = Review
        fields = ["status", "review_type", "year"]
        form = FilterForm

    def __init__(self, data: QueryDict | None = None, *args, **kwargs) -> None:
        super().__init__(data, *args, **kwargs)
        self.filters["review_type"].queryset = _review_types()

    def in_year(self, queryset: QuerySet[Review], name: str, value: str) -> QuerySet[Review]:
        return queryset.filter(started_on__year=int(value)) if value else queryset


PLAN_STATUS_CHOICES = [*PlanActionStatus.choices, (ANY, "Any status")]


class PlanActionFilter(_WithDefaults):
    """The action plan actions list: by status (open by default), RAG, lead agency (words in
    its name) and overdue only."""

    status = django_filters.ChoiceFilter(
        label="Status", choices=PLAN_STATUS_CHOICES, empty_label=None, method="with_status"
    )
    rag = django_filters.ChoiceFilter(label="RAG status", choices=Rag.choices, empty_label="Any")
    lead_agency = django_filters.CharFilter(
        label="Lead agency",
        method="with_lead_agency",
        max_length=AGENCY_SEARCH_MAX,
        help_text=AGENCY_HINT,
    )
    overdue = django_filters.BooleanFilter(
        label="Overdue only", method="only_overdue", widget=forms.CheckboxInput
    )
    defaults = {"status": PlanActionStatus.OPEN}

    class Meta:
        model = PlanAction
        fields = ["status", "rag", "lead_agency", "overdue"]
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

    def with_lead_agency(self, queryset: QuerySet[PlanAction], name: str, value: str):
        return queryset.filter(agency_words(value, prefix="lead_agency__"))

    def with_status(self, queryset: QuerySet[PlanAction], name: str, value: str):
        if value in PlanActionStatus.values:
            return queryset.filter(status=value)
        return queryset

    def only_overdue(self, queryset: QuerySet[PlanAction], name: str, value: bool):
        if value:
            return queryset.filter(status=PlanActionStatus.OPEN, due_date__lt=self.today)
        return queryset

    @property
    def qs(self) -> QuerySet[PlanAction]:
        # A status that cannot be read falls back on open ones (the form shows the error).
        if not hasattr(self, "_qs"):
            queryset = super().qs
            if not self.form.cleaned_data.get("status"):
                queryset = queryset.filter(status=PlanActionStatus.OPEN)
            self._qs = queryset
        return self._qs


def _lesson_years() -> list[tuple[str, str]]:
    return _years(
        Review.objects.filter(
            pk__in=Lesson.objects.filter(status=LessonStatus.APPROVED).values("review_id")
        ).dates("started_on", "year", order="DESC")
    )


class LessonFilter(django_filters.FilterSet):
    """Lessons learnt: words in the theme or lesson (every word must be there), area of
    practice, an agency the lesson names (words in its name), the type of review and the year it
    started. The years to choose from are those of approved lessons: a lesson waiting for
    approval gives nothing away."""

    q = django_filters.CharFilter(
        label="Search",
        method="search",
        max_length=SEARCH_MAX,
        help_text="Words in the theme or the lesson.",
    )
    practice_area = django_filters.ChoiceFilter(
        label="Area of practice", choices=PracticeArea.choices, empty_label="Any area"
    )
    agency = django_filters.CharFilter(
        label="Agency",
        method="naming_agency",
        max_length=AGENCY_SEARCH_MAX,
        help_text=AGENCY_HINT,
    )
    review_type = django_filters.ModelChoiceFilter(
        label="Type of review",
        field_name="review__review_type",
        queryset=ReviewType.objects.none(),
        empty_label="Any type",
    )
    year = django_filters.ChoiceFilter(
        label="Year the review started",
        choices=_lesson_years,
        empty_label="Any year",
        method="in_year",
    )

    class Meta:
        model = Lesson
        fields = ["q", "practice_area", "agency", "review_type", "year"]
        form = SearchFilterForm

    def __init__(self, data: QueryDict | None = None, *args, **kwargs) -> None:
        super().__init__(data, *args, **kwargs)
        self.filters["review_type"].queryset = _review_types()

    def search(self, queryset: QuerySet[Lesson], name: str, value: str) -> QuerySet[Lesson]:
        for word in value.split():
            queryset = queryset.filter(Q(theme__icontains=word) | Q(lesson__icontains=word))
        return queryset

    def naming_agency(self, queryset: QuerySet[Lesson], name: str, value: str):
        """Lessons naming one agency whose name holds every word."""
        named = Lesson.agencies.through.objects.filter(lesson_id=OuterRef("pk"))
        return queryset.filter(Exists(named.filter(agency_words(value, prefix="agency__"))))

    def in_year(self, queryset: QuerySet[Lesson], name: str, value: str) -> QuerySet[Lesson]:
        return queryset.filter(review__started_on__year=int(value)) if value else queryset
