"""The secretariat's admin for the Child Death Overview Panel.

The ten categories of death are reference data, edited here (a category a review uses is kept:
made inactive instead of deleted). Child deaths, the panel's reviews and the cross-area
referrals are looked at here and worked on through the panel's pages, where the rules are
applied; annual reports are listed here and asked for on the statistics pages.

A death, its review and its referrals are parts of a child's record: opening one (or its
history) here is logged, as on the panel's pages, and their lists take no query-string lookup
but their filters' (ChildRecordAdmin). Lists show references, never a child's name, and are
searched by reference only.
"""

from __future__ import annotations

import datetime

from django.contrib import admin
from django.db.models import Max, Min, QuerySet
from django.http import HttpRequest
from django.urls import reverse

from hscb.admin.board import (
    ChildRecordAdmin,
    HistoryAdmin,
    ReadOnlyInline,
    ViewOnly,
    case_link_mixin,
    count_of,
    page_link,
)

from .models import (
    AgencyInformation,
    AnnualReport,
    ChildDeath,
    DeathCategory,
    DeathDuplicate,
    Factor,
    PanelRecommendation,
    PanelReview,
    Referral,
)


class YearSpanQuerySet(QuerySet):
    """A list's rows, whose years for the date hierarchy are those from its first date to its
    last, read from the ends of the date's index, rather than every row's year worked out and
    the distinct ones kept: a scan of ten years of records on every opening of the list. A
    year between with nothing in it is offered, and lists nothing."""

    def dates(self, field_name: str, kind: str, order: str = "ASC"):
        if kind != "year":
            return super().dates(field_name, kind, order)
        span = self.aggregate(first=Min(field_name), last=Max(field_name))
        if span["first"] is None:
            return []
        years = range(span["first"].year, span["last"].year + 1)
        return [datetime.date(y, 1, 1) for y in (years if order == "ASC" else reversed(years))]


class LongListAdmin(ChildRecordAdmin):
    """A list that grows by thousands a year: its date hierarchy's years are read from the
    date's index (YearSpanQuerySet), and a filtered list is not counted a second time in
    full."""

    show_full_result_count = False

    def get_queryset(self, request: HttpRequest):
        queryset = super().get_queryset(request)
        return YearSpanQuerySet(model=queryset.model, query=queryset.query, using=queryset.db)


# The categories of death


@admin.register(DeathCategory)
class DeathCategoryAdmin(HistoryAdmin):
    list_display = ["number", "name", "is_active", "reviews_using"]
    list_display_links = ["number", "name"]
    list_editable = ["is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    ordering = ["number"]
    fields = ["number", "name", "description", "is_active"]

    def get_queryset(self, request: HttpRequest):
        # Each category's reviews counted from the index on their category, not every review
        # joined to its category and grouped.
        return (
            super().get_queryset(request).annotate(review_count=count_of(PanelReview, "category"))
        )

    @admin.display(description="reviews using it", ordering="review_count")
    def reviews_using(self, obj: DeathCategory) -> int:
        return obj.review_count

    def has_delete_permission(self, request: HttpRequest, obj: DeathCategory | None = None):
        """A category a review uses is kept (made inactive instead), so that the review and the
        statistics keep it."""
        if obj is not None and PanelReview.objects.filter(category=obj).exists():
            return False
        return super().has_delete_permission(request, obj)


# Child deaths


class AgencyInformationInline(ReadOnlyInline):
    model = AgencyInformation
    fields = ["agency", "requested_on", "received_on"]
    related = ("agency",)
    verbose_name_plural = "information asked of agencies"


class ReferralInline(ReadOnlyInline):
    model = Referral
    fields = ["direction", "other_area", "status", "sent_on", "next_step_due", "page"]
    related = ("other_area",)
    verbose_name_plural = "cross-area referrals"

    @admin.display(description="referral page")
    def page(self, obj: Referral) -> str:
        return page_link(obj.get_absolute_url(), "Open the referral's page")


class DuplicateInline(ReadOnlyInline):
    model = DeathDuplicate
    fk_name = "death"
    fields = ["match", "reason", "flagged_at", "dismissed_at"]
    related = ("match",)
    verbose_name_plural = "may duplicate"


class MatchedByInline(ReadOnlyInline):
    model = DeathDuplicate
    fk_name = "match"
    fields = ["death", "reason", "flagged_at", "dismissed_at"]
    related = ("death",)
    verbose_name_plural = "may be duplicated by"


CASE = [
    "reference",
    "case_page",
    "status",
    "via",
    "notified_at",
    "reviewing_area",
    "referred_to_case_review",
]
CHILD = [
    "first_name",
    "last_name",
    "nhs_number",
    "date_of_birth",
    "sex",
    "ethnicity",
    "age_years",
    "age_days",
    "band",
    "is_neonatal",
]
DEATH = [
    "died_on",
    "died_at_time",
    "place_area",
    "place_setting",
    "place_detail",
    "residence_area",
    "looked_after_by",
    "expectation",
    "circumstances",
]
NOTIFIER = [
    "notifier",
    "notifier_name",
    "notifier_role",
    "notifier_agency",
    "notifier_organisation",
    "notifier_email",
    "notifier_phone",
]
PROGRESS = [
    "jar_started_on",
    "jar_lead",
    "jar_summary",
    "review_meeting_on",
    "panel_meeting",
]


@admin.register(ChildDeath)
class ChildDeathAdmin(ViewOnly, LongListAdmin):
    """A child's record: looked at here (and the view logged), worked on through the panel's
    pages."""

    list_display = ["reference", "status", "died_on", "band", "expectation", "reviewing_area"]
    list_filter = ["status", "band", "expectation", "via"]
    list_select_related = ["reviewing_area"]
    search_fields = ["reference"]
    search_help_text = "Search by the case's reference, like CDOP-2026-00012."
    date_hierarchy = "died_on"
    fieldsets = [
        (None, {"fields": CASE}),
        ("The child", {"fields": CHILD}),
        ("The death", {"fields": DEATH}),
        ("Who notified it", {"fields": NOTIFIER}),
        ("Progress", {"fields": PROGRESS}),
    ]
    readonly_fields = [*CASE, *CHILD, *DEATH, *NOTIFIER, *PROGRESS]
    inlines = [AgencyInformationInline, ReferralInline, DuplicateInline, MatchedByInline]

    @admin.display(description="case page")
    def case_page(self, obj: ChildDeath) -> str:
        return page_link(obj.get_absolute_url(), "Open the case page")


# The panel's review

CaseLink = case_link_mixin("death", "child death")


class FactorInline(ReadOnlyInline):
    model = Factor
    fields = ["domain", "description", "influence"]


class RecommendationInline(ReadOnlyInline):
    model = PanelRecommendation
    fields = ["text", "action", "added_by", "added_at"]
    related = ("action", "added_by")
    verbose_name_plural = "recommendations"


@admin.register(PanelReview)
class PanelReviewAdmin(ViewOnly, CaseLink, LongListAdmin):
    access_also = ("death",)
    list_display = ["reference", "category", "modifiable", "closed_on", "updated_at"]
    list_filter = ["category", "modifiable", "abuse_or_neglect_factor"]
    list_select_related = ["death", "category"]
    search_fields = ["=death__reference"]
    search_help_text = "Search by the case's reference, like CDOP-2026-00012."
    date_hierarchy = "closed_on"
    fields = [
        "death",
        "case_page",
        "review_page",
        "category",
        "modifiable",
        "summary",
        "abuse_or_neglect_factor",
        "closed_on",
        "updated_by",
        "updated_at",
    ]
    readonly_fields = fields
    inlines = [FactorInline, RecommendationInline]

    @admin.display(description="review page")
    def review_page(self, obj: PanelReview) -> str:
        return page_link(
            reverse("cdop:panel_review", kwargs={"pk": obj.death_id}), "Open the review's page"
        )


# Cross-area referrals


@admin.register(Referral)
class ReferralAdmin(ViewOnly, CaseLink, LongListAdmin):
    access_also = ("death",)
    list_display = [
        "reference",
        "direction",
        "other_area",
        "status",
        "sent_on",
        "next_step_due",
        "owner",
    ]
    list_filter = ["direction", "status", "reviewing_panel"]
    list_select_related = ["death", "other_area", "owner"]
    search_fields = ["=death__reference"]
    search_help_text = "Search by the case's reference, like CDOP-2026-00012."
    date_hierarchy = "sent_on"
    fields = [
        "death",
        "case_page",
        "referral_page",
        "direction",
        "other_area",
        "status",
        "sent_on",
        "emailed_at",
        "acknowledged_on",
        "agreed_on",
        "reviewing_panel",
        "how_told",
        "outcome_reported_on",
        "outcome_note",
        "next_step_due",
        "owner",
        "group",
        "created_at",
    ]
    readonly_fields = fields

    @admin.display(description="referral page")
    def referral_page(self, obj: Referral) -> str:
        return page_link(obj.get_absolute_url(), "Open the referral's page")


# Annual reports: figures only, never a child


@admin.register(AnnualReport)
class AnnualReportAdmin(ViewOnly, HistoryAdmin):
    """Asked for, followed and downloaded on the statistics pages. Twenty to a page, as there."""

    list_per_page = 20

    list_display = ["year", "status", "progress_done", "requested_by", "requested_at"]
    list_filter = ["status", "year"]
    list_select_related = ["requested_by"]
    date_hierarchy = "requested_at"
    fields = [
        "year",
        "report_page",
        "status",
        "progress",
        "stage",
        "suppress_below",
        "error",
        "requested_by",
        "requested_at",
        "started_at",
        "finished_at",
    ]
    readonly_fields = fields

    @admin.display(description="progress", ordering="progress")
    def progress_done(self, obj: AnnualReport) -> str:
        return f"{obj.progress}%"

    @admin.display(description="report page")
    def report_page(self, obj: AnnualReport) -> str:
        return page_link(obj.get_absolute_url(), "Open the report's page (and its files)")
