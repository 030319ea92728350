"""The periodic tasks' schedules (django-celery-beat), which the secretariat keeps.

The secretariat changes when a task runs and switches it on or off. Which task runs, with which
arguments, under what name and on which queue is for a superuser only, as are adding and
deleting tasks and running one now: a task chosen with arguments of one's own could send the
board's records anywhere (an email task handed an address, say). The schedules themselves
(crontabs, intervals…) stay the secretariat's to edit, with django-celery-beat's own admin.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django_celery_beat.admin import PeriodicTaskAdmin
from django_celery_beat.models import PeriodicTask

# What the secretariat may change on a task: when it runs, and whether it runs at all.
TIMING = ["enabled", "interval", "crontab", "solar", "clocked", "start_time", "one_off"]
SWITCHING = ["enable_tasks", "disable_tasks", "toggle_tasks"]


class TimingForm(forms.ModelForm):
    """The timing of a task, and nothing else: django-celery-beat's own form insists on a task
    name, which is read-only here."""

    class Meta:
        model = PeriodicTask
        fields = TIMING


admin.site.unregister(PeriodicTask)


@admin.register(PeriodicTask)
class BoardPeriodicTaskAdmin(PeriodicTaskAdmin):
    def get_fieldsets(self, request: HttpRequest, obj: PeriodicTask | None = None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        # The registered-task chooser is a form field only: the task is shown by its name.
        return [
            (title, {**options, "fields": [f for f in options["fields"] if f != "regtask"]})
            for title, options in fieldsets
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: PeriodicTask | None = None):
        readonly = list(super().get_readonly_fields(request, obj))
        if request.user.is_superuser:
            return readonly
        shown = [f for _, options in self.get_fieldsets(request, obj) for f in options["fields"]]
        return [*readonly, *(f for f in shown if f not in TIMING and f not in readonly)]

    def get_form(self, request: HttpRequest, obj: PeriodicTask | None = None, **kwargs):
        if not request.user.is_superuser:
            kwargs["form"] = TimingForm
        return super().get_form(request, obj, **kwargs)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser and super().has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: PeriodicTask | None = None) -> bool:
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    def get_actions(self, request: HttpRequest):
        actions = super().get_actions(request)
        if request.user.is_superuser:
            return actions
        # Running a task now is not a change of its timing.
        return {name: action for name, action in actions.items() if name in SWITCHING}
