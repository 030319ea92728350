"""The admin for actions.

The secretariat can record an action, correct its wording, and move its due date or give it to
someone else. A status is changed only on the action's own page (through the FSM and a note),
so it is read-only here. A new action, a new due date and a new owner go through the services,
which re-arm the reminders, write the note ("Changed in the administration pages.") and email a
new owner: the admin's form checks the same rules first, so a refusal shows beside the field.
Actions and their notes are never deleted.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from hscb.admin.board import HistoryAdmin
from hscb.models import OPEN_STATUSES, Action, ActionNote
from hscb.services import actions as services


class OverdueFilter(admin.SimpleListFilter):
    title = "whether overdue"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", "Overdue"), ("no", "Not overdue")]

    def queryset(self, request, queryset: QuerySet[Action]):
        today = timezone.localdate()
        if self.value() == "yes":
            return queryset.overdue(today)
        if self.value() == "no":
            return queryset.exclude(pk__in=queryset.overdue(today).values("pk"))
        return queryset


class ActionNoteInline(admin.TabularInline):
    """Notes are the action's history: shown, never changed or deleted here."""

    model = ActionNote
    extra = 0
    fields = ["written_at", "author", "status_from", "status_to", "text"]
    readonly_fields = fields
    ordering = ["-written_at", "-pk"]
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ActionAdminForm(forms.ModelForm):
    """Checks the services' rules before saving: a due date not in the past (when it is new
    or changed), an owner with an open account, a meeting and agenda item of the group."""

    class Meta:
        model = Action
        fields = ["group", "meeting", "agenda_item", "title", "description", "owner", "due_date"]

    def clean(self):
        cleaned = super().clean()
        adding = self.instance.pk is None
        checks = []
        due_date = cleaned.get("due_date")
        owner = cleaned.get("owner")
        if due_date and (adding or "due_date" in self.changed_data):
            checks.append(lambda: services.check_due_date(due_date))
        if owner and (adding or "owner" in self.changed_data):
            checks.append(lambda: services.check_owner(owner))
        if adding and cleaned.get("group"):
            checks.append(
                lambda: services.check_origin(
                    group=cleaned["group"],
                    meeting=cleaned.get("meeting"),
                    agenda_item=cleaned.get("agenda_item"),
                )
            )
        for check in checks:
            try:
                check()
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    self.add_error(field if field in self.fields else None, messages)
        return cleaned


@admin.register(Action)
class ActionAdmin(HistoryAdmin):
    form = ActionAdminForm
    list_display = ["title", "group", "owner", "due_date", "status", "overdue"]
    list_filter = ["status", OverdueFilter, "group", "due_date"]
    list_select_related = ["group", "owner"]
    search_fields = [
        "title",
        "description",
        "owner__first_name",
        "owner__last_name",
        "owner__email",
        "group__name",
    ]
    date_hierarchy = "due_date"
    autocomplete_fields = ["group", "owner"]
    raw_id_fields = ["meeting", "agenda_item"]
    inlines = [ActionNoteInline]
    readonly_fields = [
        "status",
        "completed_on",
        "last_chased_on",
        "reminder_next_on",
        "created_by",
        "created_at",
    ]

    def get_fieldsets(self, request: HttpRequest, obj: Action | None = None):
        what = ["title", "description", "owner", "due_date"]
        where = ["group", "meeting", "agenda_item"]
        if obj is None:
            return [(None, {"fields": [*where, *what]})]
        return [
            (None, {"fields": what}),
            ("Where it arose", {"fields": where}),
            (
                "Progress",
                {
                    "fields": [
                        "status",
                        "completed_on",
                        "last_chased_on",
                        "reminder_next_on",
                        "created_by",
                        "created_at",
                    ],
                    "description": (
                        "The status is changed on the action's own page, with a progress note."
                    ),
                },
            ),
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Action | None = None):
        fields = list(self.readonly_fields)
        if obj is not None:
            # Where an action came from is part of its record once it exists.
            fields += ["group", "meeting", "agenda_item"]
        return fields

    @admin.display(boolean=True, description="overdue")
    def overdue(self, obj: Action) -> bool:
        return obj.status in OPEN_STATUSES and obj.due_date < timezone.localdate()

    def save_model(self, request: HttpRequest, obj: Action, form, change: bool) -> None:
        if change:
            services.action_admin_change(
                action=obj,
                by=request.user,
                due_date=form.cleaned_data["due_date"],
                owner=form.cleaned_data["owner"],
            )
            return
        created = services.action_create(
            group=obj.group,
            meeting=obj.meeting,
            agenda_item=obj.agenda_item,
            title=obj.title,
            description=obj.description,
            owner=obj.owner,
            due_date=obj.due_date,
            by=request.user,
        )
        # The admin goes on to log the addition and save the inlines for `obj`.
        obj.pk = created.pk
        obj._state.adding = False
        obj.refresh_from_db()

    def has_delete_permission(self, request: HttpRequest, obj: Action | None = None) -> bool:
        return False
