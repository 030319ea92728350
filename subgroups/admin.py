"""The secretariat's admin for the register: the risk ratings are set here; issues, escalations
and their history are looked at here and changed through the register's own pages, where the
subgroup's rules are applied."""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.html import format_html

from hscb.admin.board import HistoryAdmin, ReadOnlyInline
from subgroups.models import Escalation, GoodPractice, Issue, IssueUpdate, RiskRating


@admin.register(RiskRating)
class RiskRatingAdmin(HistoryAdmin):
    list_display = ["name", "min_score", "colour", "significant"]
    list_editable = ["significant"]
    ordering = ["min_score"]


class IssueUpdateInline(ReadOnlyInline):
    model = IssueUpdate
    fields = ["written_at", "author", "status_from", "status_to", "text"]


class RegisterPageAdmin(HistoryAdmin):
    """Looked at here; written through the register's pages."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="on the register")
    def page(self, obj) -> str:
        return format_html('<a href="{}">Open its page</a>', obj.get_absolute_url())


@admin.register(Issue)
class IssueAdmin(RegisterPageAdmin):
    list_display = ["reference", "title", "status", "rating", "score", "owner", "review_date"]
    list_filter = ["status", "rating", "source", "is_countywide"]
    list_select_related = ["rating", "owner"]
    search_fields = ["title", "description"]
    date_hierarchy = "review_date"
    readonly_fields = ["page"]
    inlines = [IssueUpdateInline]

    @admin.display(description="reference", ordering="pk")
    def reference(self, obj: Issue) -> str:
        return obj.reference


@admin.register(Escalation)
class EscalationAdmin(RegisterPageAdmin):
    list_display = ["__str__", "status", "decision", "proposed_at", "decided_on", "meeting"]
    list_filter = ["status", "decision"]
    list_select_related = ["issue", "meeting", "meeting__group"]
    readonly_fields = ["page"]


@admin.register(GoodPractice)
class GoodPracticeAdmin(HistoryAdmin):
    list_display = ["title", "scope", "theme", "source", "added_at"]
    list_filter = ["scope", "theme"]
    search_fields = ["title", "summary", "theme", "source"]
    filter_horizontal = ["agencies"]
    readonly_fields = ["added_by", "added_at"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_model(self, request: HttpRequest, obj: GoodPractice, form, change: bool) -> None:
        if not change:
            obj.added_by = request.user
        super().save_model(request, obj, form, change)
