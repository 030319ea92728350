"""The admin for meetings: a read-only view of meetings, their agendas and attendance, and the
papers, which can be deleted when one was uploaded by mistake.

Scheduling, agendas, attendance and quorum have rules, so they are changed only through the
meeting pages (hscb.services.meetings and hscb.services.attendance), never here.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from hscb.admin.board import HistoryAdmin, ReadOnlyInline
from hscb.models import AgendaItem, Attendance, Meeting, Paper
from hscb.services import meetings as services


class AgendaItemInline(ReadOnlyInline):
    model = AgendaItem
    fields = ["order", "title", "presenter_label", "minutes_allotted"]
    related = ("presenter",)
    verbose_name_plural = "agenda"

    @admin.display(description="presenter")
    def presenter_label(self, obj: AgendaItem) -> str:
        return obj.presenter_label


class AttendanceInline(ReadOnlyInline):
    model = Attendance
    fields = ["person", "agency", "status", "substitute_for", "is_member"]
    related = ("person", "agency", "substitute_for")
    verbose_name_plural = "attendance"


@admin.register(Meeting)
class MeetingAdmin(HistoryAdmin):
    """Meetings are scheduled, changed and cancelled on the meeting pages, which check the
    rules; here the secretariat can look them up, see their history, and follow the link."""

    list_display = ["meeting_name", "group", "starts_at", "status", "quorate"]
    list_filter = ["status", "quorate", "group"]
    list_select_related = ["group"]
    search_fields = ["title", "group__name", "venue"]
    date_hierarchy = "starts_at"
    ordering = ["-starts_at"]
    fields = [
        "group",
        "title",
        "starts_at",
        "ends_at",
        "venue",
        "online_link",
        "status",
        "quorate",
        "quorum_summary",
        "papers",
        "papers_requested_at",
        "papers_sent_at",
        "created_by",
        "created_at",
        "manage",
    ]
    readonly_fields = fields
    inlines = [AgendaItemInline, AttendanceInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="meeting", ordering="title")
    def meeting_name(self, obj: Meeting) -> str:
        return obj.name

    @admin.display(description="papers")
    def papers(self, obj: Meeting) -> str:
        papers = Paper.objects.filter(item__meeting=obj).select_related("item")
        if not papers:
            return "None"
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li><a href="{}">{}</a> ({}, for “{}”)</li>',
                (
                    (
                        reverse("paper_download", kwargs={"pk": p.pk}),
                        p.title,
                        filesizeformat(p.size),
                        p.item.title,
                    )
                    for p in papers
                ),
            ),
        )

    @admin.display(description="change")
    def manage(self, obj: Meeting) -> str:
        return format_html(
            '<a href="{}">Open the meeting\'s page</a> to change its details, agenda, papers, '
            "attendance or minutes, or to cancel it.",
            obj.get_absolute_url(),
        )


@admin.register(Paper)
class PaperAdmin(HistoryAdmin):
    """Papers as uploaded. A wrong upload can be deleted (its file goes too); new papers are
    added on the meeting's page, where their type and size are checked."""

    list_display = ["title", "meeting", "item", "original_name", "file_size", "uploaded_by"]
    list_filter = ["item__meeting__group"]
    list_select_related = ["item__meeting__group", "uploaded_by"]
    search_fields = ["title", "original_name", "item__title", "item__meeting__group__name"]
    ordering = ["-uploaded_at"]
    fields = [
        "title",
        "meeting",
        "item",
        "original_name",
        "file_size",
        "uploaded_by",
        "uploaded_at",
        "download",
    ]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="meeting", ordering="item__meeting__starts_at")
    def meeting(self, obj: Paper) -> str:
        return str(obj.item.meeting)

    @admin.display(description="size", ordering="size")
    def file_size(self, obj: Paper) -> str:
        return filesizeformat(obj.size)

    @admin.display(description="file")
    def download(self, obj: Paper) -> str:
        return format_html(
            '<a href="{}">Download {}</a>',
            reverse("paper_download", kwargs={"pk": obj.pk}),
            obj.original_name,
        )

    def delete_model(self, request: HttpRequest, obj: Paper) -> None:
        services.paper_delete(paper=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Paper]) -> None:
        for paper in queryset:
            services.paper_delete(paper=paper)
