"""Cross-area referrals between child death overview panels (the seed text's rule): a child
who lived elsewhere and died here is referred out to their home area's panel; a child who lived
here and died elsewhere is referred in by that area's panel. The two agree which panel reviews
and how the other is told the outcome. Each referral is a record of its own with dated steps,
and the step awaited is chased through the reminder engine."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import BooleanField, ExpressionWrapper, F, Q
from django.urls import reverse
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from hscb.models import Area, Group
from hscb.models.reminders import Remindable

from .deaths import ChildDeath


class Direction(models.TextChoices):
    OUTBOUND = "outbound", "To another area's panel"
    INBOUND = "inbound", "From another area's panel"


class ReferralStatus(models.TextChoices):
    SENT = "sent", "Sent"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    AGREED = "agreed", "Reviewing panel agreed"
    OUTCOME_REPORTED = "outcome_reported", "Outcome reported"


class ReviewingPanel(models.TextChoices):
    OURS = "ours", "Our panel reviews"
    THEIRS = "theirs", "The other area's panel reviews"


# The coordinator's list of referrals: those awaiting a step first, soonest due first (no due
# date last), then those done, newest first. The index cdop_referral_list_idx has the same
# expressions, so that a page of the list is read from it rather than by sorting every referral.
# (PostgreSQL puts nulls last in an ascending index by default; SQLite's indexes cannot say so.)
_DONE = ExpressionWrapper(Q(status=ReferralStatus.OUTCOME_REPORTED), output_field=BooleanField())
LIST_ORDER = (
    _DONE.asc(),
    F("next_step_due").asc(nulls_last=True),
    F("sent_on").desc(),
    F("id").desc(),
)
_LIST_INDEX = (_DONE.asc(), F("next_step_due").asc(), F("sent_on").desc(), F("id").desc())


class Referral(ConcurrentTransitionMixin, Remindable, models.Model):
    death = models.ForeignKey(ChildDeath, on_delete=models.PROTECT, related_name="referrals")
    direction = models.CharField(max_length=16, choices=Direction.choices)
    other_area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    status = FSMField(max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.SENT)
    sent_on = models.DateField("sent or received on")
    emailed_at = models.DateTimeField(null=True, blank=True, editable=False)
    acknowledged_on = models.DateField(null=True, blank=True)
    agreed_on = models.DateField("reviewing panel agreed on", null=True, blank=True)
    reviewing_panel = models.CharField(max_length=8, choices=ReviewingPanel.choices, blank=True)
    how_told = models.TextField(
        "how the other panel will be told the outcome", max_length=2000, blank=True
    )
    outcome_reported_on = models.DateField(null=True, blank=True)
    outcome_note = models.TextField(max_length=5000, blank=True)
    next_step_due = models.DateField(
        null=True, blank=True, help_text="When the step awaited is due; chased until done."
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cdop_referrals",
        help_text="Who is reminded of the step awaited: the panel coordinator.",
    )
    group = models.ForeignKey(Group, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_on", "-pk"]
        indexes = [
            # The admin's list, newest first.
            models.Index(fields=["-sent_on", "-id"], name="cdop_referral_sent_idx"),
            # The coordinator's list, in LIST_ORDER.
            models.Index(*_LIST_INDEX, name="cdop_referral_list_idx"),
            # The referrals awaiting a step, soonest due first (the panel's dashboard).
            models.Index(
                fields=["next_step_due", "sent_on", "id"],
                condition=~Q(status=ReferralStatus.OUTCOME_REPORTED),
                name="cdop_referral_awaited_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["death", "other_area"], name="referral_once_per_area"),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()}: {self.other_area} ({self.death})"

    def get_absolute_url(self) -> str:
        return reverse("cdop:referral_detail", kwargs={"pk": self.pk})

    @transition(field=status, source=ReferralStatus.SENT, target=ReferralStatus.ACKNOWLEDGED)
    def acknowledge(self) -> None:
        """The other panel has acknowledged (outbound), or we have (inbound)."""

    @transition(field=status, source=ReferralStatus.ACKNOWLEDGED, target=ReferralStatus.AGREED)
    def agree(self) -> None:
        """The panels have agreed which reviews, and how the other is told."""

    @transition(field=status, source=ReferralStatus.AGREED, target=ReferralStatus.OUTCOME_REPORTED)
    def report_outcome(self) -> None:
        """The reviewing panel has told the other the outcome."""


class ReportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Being made"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


def report_upload_to(instance: AnnualReport, filename: str) -> str:
    return f"cdop-reports/{instance.year}/{instance.pk}-{filename}"


class AnnualReport(models.Model):
    """The panel's annual report for one year, made by a Celery task that records its progress.
    Figures below the suppression threshold are shown as "fewer than N"."""

    year = models.PositiveSmallIntegerField()
    status = models.CharField(
        max_length=16, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0, help_text="Per cent done.")
    stage = models.CharField(max_length=200, blank=True)
    suppress_below = models.PositiveSmallIntegerField()
    pdf = models.FileField(upload_to=report_upload_to, blank=True)
    csv = models.FileField(upload_to=report_upload_to, blank=True)
    error = models.CharField(max_length=500, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["-requested_at", "-id"], name="cdop_report_latest_idx")]

    def __str__(self) -> str:
        return f"Annual report {self.year}"

    def get_absolute_url(self) -> str:
        return reverse("cdop:report_detail", kwargs={"pk": self.pk})
