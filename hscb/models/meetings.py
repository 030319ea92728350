"""Meetings of the board and its groups: agenda items, papers, attendance and minutes."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from hscb.lib.uploads import stored_name, validate_document
from hscb.models.board import Agency, Group


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


class MeetingQuerySet(models.QuerySet["Meeting"]):
    def upcoming(self, now=None) -> MeetingQuerySet:
        return self.filter(
            status=MeetingStatus.SCHEDULED, ends_at__gte=now or timezone.now()
        ).order_by("starts_at")

    def overlapping(self, meeting: Meeting) -> MeetingQuerySet:
        """Other meetings of the same group, not cancelled, whose times overlap `meeting`'s."""
        return (
            self.filter(group_id=meeting.group_id, starts_at__lt=meeting.ends_at)
            .filter(ends_at__gt=meeting.starts_at)
            .exclude(status=MeetingStatus.CANCELLED)
            .exclude(pk=meeting.pk)
        )


class Meeting(ConcurrentTransitionMixin, models.Model):
    """A meeting of a group, stored in UTC and shown in Europe/London."""

    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="meetings")
    title = models.CharField(
        max_length=200,
        blank=True,
        help_text="Leave empty for an ordinary meeting; for example, “Extraordinary meeting”.",
    )
    starts_at = models.DateTimeField("starts")
    ends_at = models.DateTimeField("ends")
    venue = models.CharField(max_length=300, blank=True, help_text="The room and building.")
    online_link = models.URLField("online meeting link", max_length=500, blank=True)
    status = FSMField(max_length=16, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED)
    quorate = models.BooleanField(
        null=True,
        editable=False,
        help_text="Whether the meeting was quorate, worked out when attendance was recorded.",
    )
    quorum_summary = models.CharField(max_length=500, blank=True, editable=False)
    papers_requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    papers_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="meeting_ends_after_it_starts",
                violation_error_message="The meeting must end after it starts.",
            ),
            models.CheckConstraint(
                condition=~Q(venue="") | ~Q(online_link=""),
                name="meeting_has_venue_or_link",
                violation_error_message="Enter a venue, an online meeting link, or both.",
            ),
        ]

    def __str__(self) -> str:
        when = timezone.localtime(self.starts_at)
        return f"{self.name}, {when:%-d %B %Y}"

    def get_absolute_url(self) -> str:
        return reverse("meeting_detail", kwargs={"pk": self.pk})

    @property
    def name(self) -> str:
        return self.title or f"{self.group.name} meeting"

    @property
    def is_past(self) -> bool:
        return self.ends_at < timezone.now()

    @transition(field=status, source=MeetingStatus.SCHEDULED, target=MeetingStatus.HELD)
    def mark_held(self) -> None:
        """Attendance has been recorded: the meeting took place."""

    @transition(field=status, source=MeetingStatus.SCHEDULED, target=MeetingStatus.CANCELLED)
    def cancel(self) -> None:
        """The meeting will not take place. Its agenda and papers are kept."""


class AgendaItem(models.Model):
    """One item on a meeting's agenda, with its minutes and decisions once the meeting is held.

    An item may point to a record elsewhere in the system (a register issue, an escalation, a
    notification decision, a report) through `linked`.
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=4000)
    presenter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agenda_items",
    )
    presenter_name = models.CharField(
        max_length=150, blank=True, help_text="For a presenter without an account."
    )
    minutes_allotted = models.PositiveSmallIntegerField(
        "time allotted (minutes)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(480)],
    )
    linked_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    linked_id = models.PositiveBigIntegerField(null=True, blank=True)
    linked = GenericForeignKey("linked_type", "linked_id")
    minutes = models.TextField(blank=True, max_length=20000)
    decisions = models.TextField(blank=True, max_length=8000)

    class Meta:
        ordering = ["meeting", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(linked_type__isnull=True, linked_id__isnull=True)
                | Q(linked_type__isnull=False, linked_id__isnull=False),
                name="agenda_item_link_complete",
                violation_error_message="A linked record needs both its type and its number.",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def presenter_label(self) -> str:
        if self.presenter_id:
            return str(self.presenter)
        return self.presenter_name


def paper_upload_to(instance: Paper, filename: str) -> str:
    return stored_name("papers", filename)


class Paper(models.Model):
    """A document for an agenda item: PDF, Word or Excel. Served only to those who may see the
    meeting, never from a public address."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="papers")
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to=paper_upload_to, validators=[validate_document])
    original_name = models.CharField(max_length=255, editable=False)
    size = models.PositiveBigIntegerField(editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, editable=False, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["item", "uploaded_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("paper_download", kwargs={"pk": self.pk})


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "Present"
    APOLOGIES = "apologies", "Sent apologies"
    ABSENT = "absent", "Absent without apologies"


class Attendance(models.Model):
    """Whether a person came to a meeting, for which agency, and whom they stood in for."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="attendance"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=AttendanceStatus.choices)
    substitute_for = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="substituted_by",
        help_text="The member this person attended in place of.",
    )
    is_member = models.BooleanField(
        default=False, help_text="Whether the person was a member of the group on the day."
    )

    class Meta:
        ordering = ["meeting", "-is_member", "person__last_name", "person__first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"],
                name="attendance_once_per_person",
                violation_error_message="This person is already in the attendance list.",
            ),
            models.CheckConstraint(
                condition=Q(substitute_for__isnull=True) | ~Q(substitute_for=F("person")),
                name="attendance_not_own_substitute",
                violation_error_message="A person cannot stand in for themselves.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.get_status_display()}"
