"""Serious-incident notifications from agency staff, the review types the board decides among,
possible duplicates, and the statutory clocks that run on each case."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from hscb.lib.uploads import stored_name, validate_document
from hscb.models import Agency, Area, Ethnicity, Group, Sex
from hscb.models.reminders import Remindable


class Regime(models.TextChoices):
    REGIME_2015 = "2015", "Working Together 2015 (serious case reviews)"
    CURRENT = "current", "Working Together 2018 onwards (current)"
    EITHER = "either", "Either regime"


class Outcome(models.TextChoices):
    REVIEW = "review", "A review is held"
    RAPID_REVIEW = "rapid_review", "Rapid review"
    NO_REVIEW = "no_review", "No review"


class ClockUnit(models.TextChoices):
    WORKING_DAYS = "working_days", "working days"
    DAYS = "days", "calendar days"
    MONTHS = "months", "months"


class ClockFrom(models.TextChoices):
    AWARE = "aware", "the day the agency became aware"
    PANEL_NOTIFIED = "panel_notified", "the day the national panel was notified"
    DECISION = "decision", "the day of the decision"


class ReviewType(models.Model):
    """An outcome the board chair can decide on, with the statutory clock it starts.

    Rows are data (seeded by migration 0002, edited in the admin): the law's deadlines live here,
    not in code. The rapid review row also holds how long an agency has to notify the national
    panel and Ofsted (`notify_panel_within`), since its clock starts from that notification.
    The rapid review is a stage every notification goes through before the decision, so it is
    never itself a decision's outcome.
    """

    code = models.SlugField(max_length=40, unique=True, help_text="A fixed name the system uses.")
    name = models.CharField(max_length=120, unique=True)
    regime = models.CharField(max_length=8, choices=Regime.choices)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    description = models.TextField(blank=True)
    needs_criteria_met = models.BooleanField(
        "needs the statutory criteria met",
        default=False,
        help_text="Choosing it for a case that does not meet the criteria needs a reason for "
        "the override.",
    )
    needs_criteria_not_met = models.BooleanField(
        "needs the statutory criteria not met",
        default=False,
        help_text="Choosing it for a case that meets the criteria needs a reason for the override "
        "(as for no review under the 2015 regime, when a serious case review was required).",
    )
    reasons_required = models.BooleanField(
        default=False, help_text="The decision must give its reasons (as for no review)."
    )
    clock_name = models.CharField(
        max_length=120,
        blank=True,
        help_text="What must be done by the deadline, like “Review published”.",
    )
    clock_length = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(400)]
    )
    clock_unit = models.CharField(max_length=16, choices=ClockUnit.choices, blank=True)
    clock_from = models.CharField(max_length=16, choices=ClockFrom.choices, blank=True)
    notify_panel_within = models.PositiveSmallIntegerField(
        "notify the national panel within (working days)",
        null=True,
        blank=True,
        validators=[MaxValueValidator(60)],
        help_text="Rapid review only: working days from the agency becoming aware.",
    )
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField("active", default=True)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def clock_description(self) -> str:
        if not self.clock_length or not self.clock_unit:
            return ""
        return (
            f"{self.clock_name}: within {self.clock_length} {self.get_clock_unit_display()} "
            f"of {self.get_clock_from_display()}"
        )


class LegalStatus(models.TextChoices):
    CHILD_PROTECTION_PLAN = "child_protection_plan", "Subject to a child protection plan"
    CHILD_IN_NEED = "child_in_need", "Child in need"
    LOOKED_AFTER = "looked_after", "Looked after"
    NONE = "none", "None of these"


class Harm(models.TextChoices):
    DEATH = "death", "The child died"
    SERIOUS_HARM = "serious_harm", "The child was seriously harmed"


class AbuseOrNeglect(models.TextChoices):
    KNOWN = "known", "Known"
    SUSPECTED = "suspected", "Suspected"
    NOT_SUSPECTED = "not_suspected", "Not known or suspected"


class NotificationStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    CONSIDERED = "considered", "Awaiting the board chair's decision"
    DECIDED = "decided", "Decided"
    MERGED = "merged", "Merged into another notification"


# What the notifying agency is told of its notification's progress: never the subgroup's
# deliberations, only where it stands.
AGENCY_STATUS = {
    NotificationStatus.DRAFT: ("Draft", "grey"),
    NotificationStatus.SUBMITTED: ("Received", "blue"),
    NotificationStatus.CONSIDERED: ("Being considered", "yellow"),
    NotificationStatus.DECIDED: ("Decision made", "green"),
    NotificationStatus.MERGED: ("Joined to another notification", "grey"),
}

# The steps of the notification form, in order: (slug, title).
STEPS = (
    ("child", "About the child"),
    ("circumstances", "The child's circumstances"),
    ("incident", "What happened"),
    ("agencies", "Agencies and safety"),
    ("attachments", "Documents"),
)


class NotificationQuerySet(models.QuerySet["Notification"]):
    def submitted(self) -> NotificationQuerySet:
        return self.exclude(status=NotificationStatus.DRAFT)

    def for_agency(self, agency_id: int | None) -> NotificationQuerySet:
        """The agency's own notifications (not those the child death panel referred)."""
        if not agency_id:
            return self.none()
        return self.filter(agency_id=agency_id, referred_by_panel=False)


class Notification(ConcurrentTransitionMixin, models.Model):
    """A serious incident notified by a partner agency: a child who died or was seriously harmed
    where abuse or neglect is known or suspected. A draft until its notifier submits it."""

    reference = models.CharField(max_length=20, unique=True, null=True, blank=True, editable=False)
    status = FSMField(
        max_length=16, choices=NotificationStatus.choices, default=NotificationStatus.DRAFT
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="notifications")
    notifier = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications"
    )
    notifier_phone = models.CharField("telephone", max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    expiry_reminded_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="A draft: when its notifier was told that it will be deleted if left "
        "untouched. A change made to the draft after it (`updated_at`) starts the wait again.",
    )

    # The child
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    other_names = models.CharField(
        max_length=200, blank=True, help_text="Other names the child is known by."
    )
    date_of_birth = models.DateField(null=True, blank=True)
    age_years = models.PositiveSmallIntegerField(
        "approximate age in years",
        null=True,
        blank=True,
        validators=[MaxValueValidator(17)],
        help_text="When the date of birth is not known.",
    )
    sex = models.CharField(max_length=16, choices=Sex.choices, blank=True)
    ethnicity = models.CharField(max_length=32, choices=Ethnicity.choices, blank=True)
    nhs_number = models.CharField("NHS number", max_length=10, blank=True, db_index=True)
    name_key = models.CharField(
        max_length=210,
        blank=True,
        editable=False,
        help_text="The child's first and last names as compared for duplicates: case, accents' "
        "forms and spacing set aside.",
    )
    home_area = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    legal_status = models.CharField(max_length=32, choices=LegalStatus.choices, blank=True)

    # What happened
    incident_date = models.DateField(null=True, blank=True)
    incident_description = models.TextField("what happened", max_length=10000, blank=True)
    aware_date = models.DateField("date your agency became aware", null=True, blank=True)
    harm = models.CharField(max_length=16, choices=Harm.choices, blank=True)
    abuse_or_neglect = models.CharField(
        "abuse or neglect", max_length=16, choices=AbuseOrNeglect.choices, blank=True
    )
    in_custody = models.BooleanField(
        "in custody or a secure setting",
        default=False,
        help_text="The child was in police custody, a young offender institution, a secure "
        "children's home or a secure training centre.",
    )

    # Agencies and safety
    agencies_involved = models.ManyToManyField(
        Agency, blank=True, related_name="notifications_involved_in"
    )
    safety_action = models.TextField("immediate safety action taken", max_length=10000, blank=True)

    # The Case Review subgroup's work on it
    case_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Reminded of the case's statutory clocks (the Case Review chair when empty).",
    )
    panel_notified_on = models.DateField(
        "national panel and Ofsted notified on", null=True, blank=True
    )
    referred_by_panel = models.BooleanField(
        "referred by the Child Death Overview Panel",
        default=False,
        editable=False,
        help_text="Made from a child death the panel reviewed: not one of the referring person's "
        "agency's own notifications, so that agency's staff do not see it.",
    )
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged"
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-created_at", "-pk"]
        # The lists' sorts: the cases newest first (all, or of a status, or of an agency, as
        # its staff see them) and a person's drafts most recently saved first. The partial
        # indexes match the lists' `status <> 'draft'`.
        indexes = [
            models.Index(fields=["name_key", "date_of_birth"]),
            models.Index(
                fields=["-submitted_at", "-id"],
                condition=~Q(status=NotificationStatus.DRAFT),
                name="cr_notification_submitted",
            ),
            models.Index(fields=["status", "-submitted_at", "-id"], name="cr_notification_status"),
            models.Index(
                fields=["agency", "-submitted_at", "-id"],
                condition=~Q(status=NotificationStatus.DRAFT),
                name="cr_notification_agency",
            ),
            models.Index(
                fields=["notifier", "status", "-updated_at", "-id"],
                name="cr_notification_notifier",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=NotificationStatus.DRAFT) | Q(reference__isnull=False),
                name="notification_submitted_has_reference",
            ),
        ]

    def __str__(self) -> str:
        return self.reference or f"Draft notification {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("casereview:case_detail", kwargs={"pk": self.pk})

    @property
    def child_name(self) -> str:
        return " ".join(n for n in (self.first_name, self.last_name) if n)

    @property
    def is_draft(self) -> bool:
        return self.status == NotificationStatus.DRAFT

    @property
    def agency_status(self) -> tuple[str, str]:
        """(label, tag colour) of the status the notifying agency sees."""
        return AGENCY_STATUS[self.status]

    def make_reference(self, on: datetime.date) -> str:
        """The reference its notifier is given on submission: unique, as the key is."""
        return f"SIN-{on:%Y}-{self.pk:05d}"

    def age_on(self, day: datetime.date) -> int | None:
        if self.date_of_birth is None:
            return self.age_years
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))

    @transition(field=status, source=NotificationStatus.DRAFT, target=NotificationStatus.SUBMITTED)
    def submit(self) -> None:
        """The service gives it its reference and starts the clocks."""

    @transition(
        field=status, source=NotificationStatus.SUBMITTED, target=NotificationStatus.CONSIDERED
    )
    def consider(self) -> None:
        """The Case Review subgroup has recorded its consideration and recommendation."""

    @transition(
        field=status, source=NotificationStatus.CONSIDERED, target=NotificationStatus.DECIDED
    )
    def decide(self) -> None:
        """The board chair has decided."""

    @transition(
        field=status,
        source=[NotificationStatus.SUBMITTED, NotificationStatus.CONSIDERED],
        target=NotificationStatus.MERGED,
    )
    def merge(self) -> None:
        """It was about the same incident as another notification, which carries on."""


class CaseEmail(models.Model):
    """One email about a case to one person. The unique row is the claim that keeps a task run
    twice (a retry, a message delivered twice) from sending it twice; a failed send deletes it."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="emails")
    kind = models.CharField(max_length=40)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["notification", "sent_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "kind", "recipient"], name="case_email_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient_id} about {self.notification}"


def attachment_upload_to(instance: Attachment, filename: str) -> str:
    return stored_name("notifications", filename)


class Attachment(models.Model):
    """A document sent with a notification: served only to those who may see the case."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_upload_to, validators=[validate_document])
    original_name = models.CharField(max_length=255, editable=False)
    size = models.PositiveBigIntegerField(editable=False)
    description = models.CharField(max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, editable=False, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["notification", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class MatchReason(models.TextChoices):
    NHS_NUMBER = "nhs_number", "Same NHS number"
    NAME_AND_DOB = "name_and_dob", "Same name and date of birth"


class DuplicateStatus(models.TextChoices):
    OPEN = "open", "To check"
    LINKED = "linked", "Linked: the same child"
    MERGED = "merged", "Merged: the same incident"
    NOT_DUPLICATE = "not_duplicate", "Not the same child"


class PossibleDuplicate(models.Model):
    """A newly submitted notification that may be about the same child as an earlier one,
    within `CASEREVIEW_DUPLICATE_WINDOW_DAYS`. The secretariat links, merges or dismisses it."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="possible_duplicates"
    )
    match = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="matched_by")
    reason = models.CharField(max_length=16, choices=MatchReason.choices)
    status = models.CharField(
        max_length=16, choices=DuplicateStatus.choices, default=DuplicateStatus.OPEN
    )
    flagged_at = models.DateTimeField(auto_now_add=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    resolved_at = models.DateTimeField(null=True, blank=True, editable=False)
    note = models.TextField(max_length=2000, blank=True)

    class Meta:
        ordering = ["-flagged_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "match"], name="possible_duplicate_once"
            ),
        ]
        # The secretariat's list: those to check, oldest flagged first; the latest resolved;
        # and the admin's list, newest flagged first.
        indexes = [
            models.Index(fields=["status", "flagged_at", "id"], name="cr_duplicate_status"),
            models.Index(fields=["flagged_at", "id"], name="cr_duplicate_flagged"),
            models.Index(
                fields=["-resolved_at", "-id"],
                condition=~Q(status=DuplicateStatus.OPEN),
                name="cr_duplicate_resolved",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.notification} may duplicate {self.match}"


class ClockKind(models.TextChoices):
    PANEL_NOTIFICATION = "panel_notification", "National panel and Ofsted notified"
    RAPID_REVIEW = "rapid_review", "Rapid review completed"
    DECISION = "decision", "Decision's deadline"


class Clock(Remindable, models.Model):
    """A statutory deadline running on a case: due on `due_on`, met on `met_on`.

    Its length comes from a `ReviewType` row when it starts and is kept here, so a later change
    to the rules does not move a deadline already running. The case officer (or the Case Review
    chair) is reminded by the reminder engine until it is met.
    """

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="clocks")
    kind = models.CharField(max_length=24, choices=ClockKind.choices)
    name = models.CharField(max_length=120)
    rule = models.CharField(
        max_length=200, help_text="The rule it follows, like “within 5 working days of …”."
    )
    starts_on = models.DateField()
    due_on = models.DateField()
    unit = models.CharField(
        max_length=16, choices=ClockUnit.choices, help_text="How its days left are counted."
    )
    met_on = models.DateField(null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="casereview_clocks",
    )
    group = models.ForeignKey(
        Group, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["notification", "kind"], name="clock_once_per_kind"),
        ]
        # The dashboards' running deadlines, soonest first, and their counts.
        indexes = [
            models.Index(
                fields=["due_on", "id"], condition=Q(met_on__isnull=True), name="cr_clock_running"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.notification}: {self.name}"

    def get_absolute_url(self) -> str:
        return self.notification.get_absolute_url()

    @property
    def is_running(self) -> bool:
        return self.met_on is None
