"""The board-wide history and access log, for the secretariat.

The changes to a child's record hold the child's personal details, so the board-wide log does
not show them, nor search them: they are read on each record's own history page, which writes an
access entry of its own. Here every view of a record (an ACCESS entry: who, when, which record)
is listed, for child records as for the rest.
"""

from __future__ import annotations

from auditlog.admin import LogEntryAdmin
from auditlog.models import LogEntry
from django.apps import apps
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from hscb.lib.access import CHILD_RECORD_MODELS

admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class BoardLogEntryAdmin(LogEntryAdmin):
    def get_queryset(self, request):
        models = [apps.get_model(label) for label in sorted(CHILD_RECORD_MODELS)]
        child_types = [ct.pk for ct in ContentType.objects.get_for_models(*models).values()]
        return (
            super()
            .get_queryset(request)
            .filter(~Q(content_type__in=child_types) | Q(action=LogEntry.Action.ACCESS))
        )
