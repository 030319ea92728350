"""The secretariat's admin for the business plan: each year's plan, its priorities with their
targets, and the resources each group is given.

A priority's red/amber/green rating and commentary are read-only here. They change only through
the "Update progress" page (`hscb.services.plan.priority_progress_update`), which keeps every
rating in the priority's history; a rating typed into the admin would change the priority with
no dated entry in that history. The secretariat may use that page for any priority.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from hscb.admin.board import HistoryAdmin
from hscb.models import BusinessPlan, GroupResource, Priority, ProgressUpdate, Target


class PriorityInline(admin.TabularInline):
    model = Priority
    extra = 0
    can_delete = False
    fields = ["number", "title", "owner"]
    autocomplete_fields = ["owner"]
    show_change_link = True
    verbose_name_plural = "priorities (open one to add its targets and lead groups)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("owner")


class GroupResourceInline(admin.TabularInline):
    model = GroupResource
    extra = 0
    fields = ["group", "description", "budget"]
    verbose_name = "group's resources"
    verbose_name_plural = "resources each group is given"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("group")


@admin.register(BusinessPlan)
class BusinessPlanAdmin(HistoryAdmin):
    list_display = ["__str__", "period", "priority_count"]
    search_fields = ["title", "summary"]
    fields = ["year", "title", "summary"]
    inlines = [PriorityInline, GroupResourceInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_priorities=Count("priorities"))

    @admin.display(description="priorities", ordering="_priorities")
    def priority_count(self, obj: BusinessPlan) -> int:
        return obj._priorities


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0
    fields = ["order", "text", "measure", "owner", "due_date"]
    autocomplete_fields = ["owner"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("owner")


class ProgressUpdateInline(admin.TabularInline):
    """The history of ratings: written by the service, never changed or removed here."""

    model = ProgressUpdate
    extra = 0
    can_delete = False
    fields = ["written_at", "author", "rag", "commentary"]
    readonly_fields = fields
    verbose_name = "rating"
    verbose_name_plural = "history of ratings"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Priority)
class PriorityAdmin(HistoryAdmin):
    list_display = ["__str__", "plan", "owner", "rag", "progress_updated_at"]
    list_filter = ["plan", "rag", "groups"]
    list_select_related = ["plan", "owner"]
    search_fields = ["title", "description"]
    autocomplete_fields = ["owner"]
    filter_horizontal = ["groups"]
    readonly_fields = [
        "rag",
        "commentary",
        "progress_updated_at",
        "progress_updated_by",
        "update_progress",
    ]
    fieldsets = [
        (None, {"fields": ["plan", "number", "title", "description", "owner", "groups"]}),
        (
            "Progress",
            {
                "fields": [
                    "rag",
                    "commentary",
                    "progress_updated_at",
                    "progress_updated_by",
                    "update_progress",
                ],
                "description": "Ratings are recorded on the priority's own page so that each "
                "is kept in its history.",
            },
        ),
    ]
    inlines = [TargetInline, ProgressUpdateInline]

    def view_on_site(self, obj: Priority) -> str:
        return f"{obj.plan.get_absolute_url()}#priority-{obj.number}"

    @admin.display(description="record progress")
    def update_progress(self, obj: Priority) -> str:
        if obj.pk is None:
            return "Save the priority first."
        url = reverse("priority_progress", kwargs={"pk": obj.pk})
        return format_html('<a href="{}">Update the progress of this priority</a>', url)
