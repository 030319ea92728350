"""What the reminder engine remembers: where each item is on the ladder, what was sent, and
which weekly digests have gone."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


class Remindable(models.Model):
    """The ladder's state, for a model that registers with `hscb.lib.reminders`.

    `reminder_next_on` is the day of the next rung (empty when nothing is to be sent);
    `reminder_last_sent` the last rung sent, in days from the due date. The engine claims an
    item by updating both only if they are still as it read them.
    """

    reminder_last_sent = models.SmallIntegerField(null=True, blank=True, editable=False)
    reminder_next_on = models.DateField(null=True, blank=True, editable=False, db_index=True)

    class Meta:
        abstract = True


class SentReminder(models.Model):
    """One item in one reminder email: kept so that anyone can see who was chased, and when."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reminders_received"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    item = GenericForeignKey("content_type", "object_id")
    rung = models.SmallIntegerField(help_text="Days from the due date: negative before it.")
    due_date = models.DateField()
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["-sent_at"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"Reminder to {self.recipient} on {self.sent_at:%Y-%m-%d}"


class DigestSent(models.Model):
    """A chair's weekly digest for one week. The unique row is the claim: never sent twice."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="digests_received"
    )
    week_starting = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-week_starting"]
        verbose_name = "weekly digest sent"
        verbose_name_plural = "weekly digests sent"
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "week_starting"], name="digest_once_a_week_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"Digest to {self.recipient}, week of {self.week_starting:%Y-%m-%d}"


class ChangeNoticeSent(models.Model):
    """A notice about a recorded change (an account's email address, an area's panel address)
    has been sent: the row is the claim, so a task that runs twice sends once, and the history
    row itself is never written to."""

    entry = models.OneToOneField(
        "auditlog.LogEntry", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "change notice sent"
        verbose_name_plural = "change notices sent"

    def __str__(self) -> str:
        return f"Notice about change {self.entry_id}, sent {self.sent_at:%Y-%m-%d %H:%M}"
