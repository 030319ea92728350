"""The admin for what the reminder engine has sent: read-only records, kept for the history."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from hscb.lib.reminders import describe_rung
from hscb.models import DigestSent, SentReminder


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records of what was sent: they can be looked at, never made, changed or removed."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(SentReminder)
class SentReminderAdmin(ReadOnlyAdmin):
    list_display = ["sent_at", "recipient", "content_type", "object_id", "when", "due_date"]
    list_filter = ["content_type", "sent_at"]
    list_select_related = ["recipient", "content_type"]
    search_fields = ["recipient__email", "recipient__first_name", "recipient__last_name"]
    date_hierarchy = "sent_at"

    @admin.display(description="reminded that it was")
    def when(self, obj: SentReminder) -> str:
        return describe_rung(obj.rung)


@admin.register(DigestSent)
class DigestSentAdmin(ReadOnlyAdmin):
    list_display = ["week_starting", "recipient", "sent_at"]
    list_select_related = ["recipient"]
    search_fields = ["recipient__email", "recipient__first_name", "recipient__last_name"]
    date_hierarchy = "week_starting"
