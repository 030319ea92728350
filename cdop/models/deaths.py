"""Child deaths notified to the panel, the reference data they are reviewed against, and the
case's progress: the joint agency response, information from agencies, and possible
duplicates."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from hscb.models import Agency, Area, Ethnicity, Meeting, Sex

NEONATAL_DAYS = 28


class DeathCategory(models.Model):
    """One of the ten standard categories of child death, in their hierarchy: when more than one
    applies, the panel chooses the lowest number. Reference data, edited in the admin."""

    number = models.PositiveSmallIntegerField(
        unique=True, validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    is_active = models.BooleanField("active", default=True)

    class Meta:
        ordering = ["number"]
        verbose_name_plural = "death categories"

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class PlaceSetting(models.TextChoices):
    HOSPITAL = "hospital", "Hospital"
    HOME = "home", "Home"
    PUBLIC_PLACE = "public_place", "Public place"
    OTHER = "other", "Other"


class Expectation(models.TextChoices):
    EXPECTED = "expected", "Expected"
    UNEXPECTED = "unexpected", "Unexpected"


class NotifiedVia(models.TextChoices):
    ACCOUNT = "account", "Signed-in agency staff"
    PUBLIC_FORM = "public_form", "Public notification form"
    OTHER_PANEL = "other_panel", "Another area's panel"


class DeathStatus(models.TextChoices):
    NOTIFIED = "notified", "Notified"
    GATHERING = "gathering", "Gathering information"
    REVIEW_MEETING = "review_meeting", "Child death review meeting held"
    PANEL = "panel", "Listed for the panel"
    CLOSED = "closed", "Closed"
    ELSEWHERE = "elsewhere", "Reviewed by another panel"


OPEN_DEATH_STATUSES = (
    DeathStatus.NOTIFIED,
    DeathStatus.GATHERING,
    DeathStatus.REVIEW_MEETING,
    DeathStatus.PANEL,
)

# What a notifying agency is told: where the case stands, nothing of the panel's findings.
AGENCY_STATUS = {
    DeathStatus.NOTIFIED: ("Received", "blue"),
    DeathStatus.GATHERING: ("Under review", "yellow"),
    DeathStatus.REVIEW_MEETING: ("Under review", "yellow"),
    DeathStatus.PANEL: ("Under review", "yellow"),
    DeathStatus.CLOSED: ("Review completed", "green"),
    DeathStatus.ELSEWHERE: ("Reviewed by another area's panel", "grey"),
}


class AgeBand(models.TextChoices):
    NEONATAL = "neonatal", "0 to 27 days"
    INFANT = "infant", "28 days to 1 year"
    AGE_1_4 = "1_4", "1 to 4 years"
    AGE_5_9 = "5_9", "5 to 9 years"
    AGE_10_14 = "10_14", "10 to 14 years"
    AGE_15_17 = "15_17", "15 to 17 years"


def age_in_years(born: datetime.date, on: datetime.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def age_band(born: datetime.date, died: datetime.date) -> str:
    if (died - born).days < NEONATAL_DAYS:
        return AgeBand.NEONATAL
    years = age_in_years(born, died)
    if years < 1:
        return AgeBand.INFANT
    if years < 5:
        return AgeBand.AGE_1_4
    if years < 10:
        return AgeBand.AGE_5_9
    if years < 15:
        return AgeBand.AGE_10_14
    return AgeBand.AGE_15_17


class ChildDeath(ConcurrentTransitionMixin, models.Model):
    """The death of a child born alive and under 18, notified to the panel, and its review."""

    reference = models.CharField(max_length=20, unique=True, editable=False)
    status = FSMField(max_length=16, choices=DeathStatus.choices, default=DeathStatus.NOTIFIED)
    via = models.CharField("notified through", max_length=16, choices=NotifiedVia.choices)
    notified_at = models.DateTimeField(auto_now_add=True)

    # Who notified
    notifier = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="death_notifications",
    )
    notifier_name = models.CharField("name", max_length=200)
    notifier_role = models.CharField("job title or role", max_length=200)
    notifier_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="death_notifications"
    )
    notifier_organisation = models.CharField(
        "organisation", max_length=200, blank=True, help_text="When not one of our agencies."
    )
    notifier_email = models.EmailField("email address")
    notifier_phone = models.CharField("telephone", max_length=40, blank=True)

    # The child
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    nhs_number = models.CharField("NHS number", max_length=10, blank=True, db_index=True)
    name_key = models.CharField(
        max_length=210,
        editable=False,
        help_text="The child's names as compared for duplicates (see casereview's child_name_key).",
    )
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=16, choices=Sex.choices)
    ethnicity = models.CharField(max_length=32, choices=Ethnicity.choices)

    # The death
    died_on = models.DateField("date of death")
    died_at_time = models.TimeField("time of death", null=True, blank=True)
    place_area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name="area where the child died"
    )
    place_setting = models.CharField("place of death", max_length=16, choices=PlaceSetting.choices)
    place_detail = models.CharField("place of death in more detail", max_length=200, blank=True)
    residence_area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="area where the child normally lived",
        help_text="For a baby who died in the first 28 days, where the mother normally lives.",
    )
    looked_after_by = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="authority looking after the child",
        help_text="Only for a looked-after child.",
    )
    expectation = models.CharField(
        "expected or unexpected", max_length=16, choices=Expectation.choices
    )
    circumstances = models.TextField("known circumstances", max_length=10000, blank=True)

    # Derived on notification
    age_days = models.PositiveIntegerField(editable=False)
    age_years = models.PositiveSmallIntegerField(editable=False)
    band = models.CharField("age band", max_length=16, choices=AgeBand.choices, editable=False)
    is_neonatal = models.BooleanField("neonatal", editable=False)

    # Which panel reviews (default: where the child lived; a looked-after child: the authority
    # looking after them), and the case's progress here.
    reviewing_area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name="panel that reviews"
    )
    jar_started_on = models.DateField("joint agency response started on", null=True, blank=True)
    jar_lead = models.CharField("joint agency response lead", max_length=200, blank=True)
    jar_summary = models.TextField("joint agency response summary", max_length=10000, blank=True)
    review_meeting_on = models.DateField(
        "child death review meeting held on", null=True, blank=True
    )
    panel_meeting = models.ForeignKey(
        Meeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The panel meeting that reviews it.",
    )
    referred_to_case_review = models.ForeignKey(
        "casereview.Notification",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["-died_on", "-pk"]
        indexes = [
            models.Index(fields=["name_key", "date_of_birth"]),
            # The panel's list and the admin's, latest death first, a page at a time; the
            # earliest death (the years offered); and the statistics, which count deaths by
            # year, age band and expectation from this index alone.
            models.Index(
                fields=["-died_on", "-id"],
                include=["band", "expectation", "residence_area", "looked_after_by"],
                name="cdop_death_latest_idx",
            ),
            # The list filtered by status, and the open cases counted by status.
            models.Index(fields=["status", "-died_on", "-id"], name="cdop_death_status_idx"),
            # An agency's own notifications, newest first.
            models.Index(
                fields=["notifier_agency", "via", "-notified_at", "-id"],
                name="cdop_death_agency_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(age_years__lt=18), name="child_death_under_eighteen"
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("cdop:death_detail", kwargs={"pk": self.pk})

    @property
    def child_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def agency_status(self) -> tuple[str, str]:
        return AGENCY_STATUS[self.status]

    @property
    def is_unexpected(self) -> bool:
        return self.expectation == Expectation.UNEXPECTED

    @transition(field=status, source=DeathStatus.NOTIFIED, target=DeathStatus.GATHERING)
    def gather(self) -> None:
        """Agency reports have been asked for."""

    @transition(
        field=status,
        source=[DeathStatus.NOTIFIED, DeathStatus.GATHERING],
        target=DeathStatus.REVIEW_MEETING,
    )
    def hold_review_meeting(self) -> None:
        """The child death review meeting has been held."""

    @transition(
        field=status,
        source=[DeathStatus.REVIEW_MEETING, DeathStatus.PANEL],
        target=DeathStatus.PANEL,
    )
    def list_for_panel(self) -> None:
        """The case is on a panel meeting's agenda (or moved to another): only after its child
        death review meeting."""

    @transition(field=status, source=DeathStatus.PANEL, target=DeathStatus.CLOSED)
    def close(self) -> None:
        """The panel's review is complete."""

    @transition(field=status, source=OPEN_DEATH_STATUSES, target=DeathStatus.ELSEWHERE)
    def hand_over(self) -> None:
        """The panels agreed that the other one reviews."""


class AgencyInformation(models.Model):
    """Information asked of one agency for a case, and when it came in."""

    death = models.ForeignKey(ChildDeath, on_delete=models.CASCADE, related_name="agency_reports")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    requested_on = models.DateField()
    received_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["death", "agency__name"]
        verbose_name = "agency report"
        constraints = [
            models.UniqueConstraint(fields=["death", "agency"], name="cdop_agency_report_once"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} for {self.death}"


class MatchReason(models.TextChoices):
    NHS_NUMBER = "nhs_number", "Same NHS number"
    NAME_AND_DOB = "name_and_dob", "Same name and date of birth"


class DeathDuplicate(models.Model):
    """A notification that may be of a death already notified: the coordinator checks it."""

    death = models.ForeignKey(ChildDeath, on_delete=models.CASCADE, related_name="duplicates")
    match = models.ForeignKey(ChildDeath, on_delete=models.CASCADE, related_name="matched_by")
    reason = models.CharField(max_length=16, choices=MatchReason.choices)
    flagged_at = models.DateTimeField(auto_now_add=True)
    dismissed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-flagged_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["death", "match"], name="death_duplicate_once"),
        ]

    def __str__(self) -> str:
        return f"{self.death} may duplicate {self.match}"
