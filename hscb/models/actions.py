"""Actions: what someone has agreed to do for a group, by when, and how it is going."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from hscb.models.board import Group
from hscb.models.meetings import AgendaItem, Meeting
from hscb.models.reminders import Remindable


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


OPEN_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)
CLOSED_STATUSES = (ActionStatus.DONE, ActionStatus.CANCELLED)


class ActionQuerySet(models.QuerySet["Action"]):
    def open(self) -> ActionQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today=None) -> ActionQuerySet:
        return self.open().filter(due_date__lt=today or timezone.localdate())


class Action(ConcurrentTransitionMixin, Remindable, models.Model):
    """An action for a group, often arising from a meeting. Its owner keeps it up to date; the
    reminder engine chases it until it is done or cancelled."""

    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="actions")
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
        help_text="The meeting the action arose from.",
    )
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.PROTECT, null=True, blank=True, related_name="actions"
    )
    title = models.CharField("action", max_length=300)
    description = models.TextField(blank=True, max_length=4000)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="actions"
    )
    due_date = models.DateField()
    status = FSMField(max_length=16, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    completed_on = models.DateField(null=True, blank=True, editable=False)
    last_chased_on = models.DateField(
        null=True, blank=True, editable=False, help_text="When a chair last chased the owner."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [
            models.Index(fields=["status", "due_date"]),
            # Every action in its order (the admin's list), a page at a time.
            models.Index(fields=["due_date", "id"], name="action_by_due"),
            # The live actions, small beside the years of those done: the overdue first, and
            # each group's counts, read from these alone.
            models.Index(
                fields=["due_date", "id"],
                condition=Q(status__in=["open", "in_progress"]),
                name="action_live_by_due",
            ),
            models.Index(
                fields=["group", "due_date"],
                condition=Q(status__in=["open", "in_progress"]),
                name="action_live_by_group",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("action_detail", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today=None) -> bool:
        return self.is_open and self.due_date < (today or timezone.localdate())

    @transition(field=status, source=ActionStatus.OPEN, target=ActionStatus.IN_PROGRESS)
    def start(self) -> None:
        """Work on the action has begun."""

    @transition(field=status, source=list(OPEN_STATUSES), target=ActionStatus.DONE)
    def complete(self) -> None:
        self.completed_on = timezone.localdate()

    @transition(field=status, source=list(OPEN_STATUSES), target=ActionStatus.CANCELLED)
    def cancel(self) -> None:
        """No longer needed: a reason is recorded in the note."""

    @transition(field=status, source=list(CLOSED_STATUSES), target=ActionStatus.IN_PROGRESS)
    def reopen(self) -> None:
        self.completed_on = None


class ActionNote(models.Model):
    """A dated progress note on an action, with the change of status it recorded, if any."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(default=timezone.now)
    text = models.TextField(max_length=4000)
    status_from = models.CharField(max_length=16, choices=ActionStatus.choices, blank=True)
    status_to = models.CharField(max_length=16, choices=ActionStatus.choices, blank=True)
    emailed_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the owner was emailed about this note (an assignment or a chase).",
    )

    class Meta:
        ordering = ["-written_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status_from="", status_to="") | ~Q(status_to=""),
                name="action_note_status_change_complete",
            )
        ]

    def __str__(self) -> str:
        return f"Note on {self.action} by {self.author}"
