"""The access log: every view of a child's record, by whom and when (DESIGN.md §8).

A view is an `ACCESS` entry in django-auditlog's log, written through its `accessed` signal:
the actor and address come from its middleware, as for every change. Function views call
`log_access(obj)` once they have authorised the request; the admin's change and history pages log
through `LogAccessAdminMixin`.
"""

from __future__ import annotations

from urllib.parse import unquote

from auditlog.signals import accessed
from django.db.models import Model

# Models whose history holds a child's personal details ("app_label.model"). Their changes are
# read only through each record's own history page, which is itself logged as a view; the
# board-wide log shows them only as who viewed what. Apps add theirs from `ready()`.
CHILD_RECORD_MODELS: set[str] = set()


def register_child_records(*models: type[Model]) -> None:
    CHILD_RECORD_MODELS.update(m._meta.label_lower for m in models)


def log_access(*objs: Model) -> None:
    """Record that the current user has seen each of `objs` (their model is registered with
    auditlog)."""
    for obj in objs:
        if obj is not None and obj.pk is not None:
            accessed.send(sender=obj.__class__, instance=obj)


def _follow(obj: Model, path: str) -> Model | None:
    """The record at the end of `path` ("recommendation__review__notification"), or None."""
    for name in path.split("__"):
        obj = getattr(obj, name, None)
        if obj is None:
            return None
    return obj


class LogAccessAdminMixin:
    """A model admin whose change page is a view of a child's record: showing it is logged (a
    form shown again after a failed save shows the record too), and so is showing either of its
    history pages. `access_also` names relations (`__` between steps) whose records the page
    shows as well, like the notification a decision is about."""

    access_also: tuple[str, ...] = ()

    def _log_shown(self, request, object_id, response) -> None:
        if getattr(response, "status_code", None) == 200:
            obj = self.get_object(request, unquote(object_id))
            if obj is not None:
                log_access(obj, *(_follow(obj, path) for path in self.access_also))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        self._log_shown(request, object_id, response)
        return response

    def auditlog_history_view(self, request, object_id, extra_context=None):
        """A record's history shows what it held: opening it is a view too."""
        response = super().auditlog_history_view(request, object_id, extra_context)
        self._log_shown(request, object_id, response)
        return response

    def history_view(self, request, object_id, extra_context=None):
        """Django's own history page names the record and what was done to it: a view too."""
        response = super().history_view(request, object_id, extra_context)
        self._log_shown(request, object_id, response)
        return response
