"""The Improving Outcomes subgroup's register: multi-agency issues, their progress, escalation to
the Strategic Board, and the register of good practice."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from hscb.models import Agency, AgendaItem, Group, Meeting, Priority
from hscb.models.reminders import Remindable

SCALE = [MinValueValidator(1), MaxValueValidator(5)]


class RiskRating(models.Model):
    """A band of risk scores (likelihood times impact, 1 to 25), set by the board in the admin.

    An issue's rating is the band with the highest `min_score` at or below its score. Issues
    rated in a band marked `significant` (or a higher one) may be escalated.
    """

    name = models.CharField(max_length=40, unique=True)
    min_score = models.PositiveSmallIntegerField(
        "lowest score",
        unique=True,
        validators=[MinValueValidator(1), MaxValueValidator(25)],
        help_text="The band runs from this score up to the next band's lowest score.",
    )
    colour = models.CharField(
        max_length=16,
        choices=[
            ("green", "Green"),
            ("yellow", "Yellow"),
            ("orange", "Orange"),
            ("red", "Red"),
            ("purple", "Purple"),
        ],
        help_text="The colour of its tag and of its cells on the heat map.",
    )
    significant = models.BooleanField(
        "significant risk",
        default=False,
        help_text="Issues rated in this band, or a higher one, may be escalated to the "
        "Strategic Board.",
    )

    class Meta:
        ordering = ["min_score"]

    def __str__(self) -> str:
        return self.name


class IssueSource(models.TextChoices):
    SINGLE_AGENCY_AUDIT = "single_agency_audit", "Single-agency audit"
    MULTI_AGENCY_AUDIT = "multi_agency_audit", "Multi-agency audit"
    PERFORMANCE_DATA = "performance_data", "Performance data"
    CASE_REVIEW = "case_review", "Case review"
    AGENCY_REPORT = "agency_report", "Agency report"
    GOOD_PRACTICE_SCAN = "good_practice_scan", "Good-practice scan"


class IssueStatus(models.TextChoices):
    OPEN = "open", "Open"
    MONITORING = "monitoring", "Monitoring"
    ESCALATED = "escalated", "Escalated"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


OPEN_ISSUE_STATUSES = (IssueStatus.OPEN, IssueStatus.MONITORING, IssueStatus.ESCALATED)


def reference_for(pk: int) -> str:
    """An issue's reference, from its primary key: IO-0042."""
    return f"IO-{pk:04d}"


class IssueQuerySet(models.QuerySet["Issue"]):
    def live(self) -> IssueQuerySet:
        """Issues still being worked on: open, monitored or escalated."""
        return self.filter(status__in=OPEN_ISSUE_STATUSES)


class Issue(ConcurrentTransitionMixin, Remindable, models.Model):
    """A multi-agency issue on the register: two or more agencies, or explicitly countywide."""

    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="register_issues")
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=8000)
    source = models.CharField(max_length=32, choices=IssueSource.choices)
    agencies = models.ManyToManyField(Agency, related_name="register_issues", blank=True)
    is_countywide = models.BooleanField(
        "countywide", default=False, help_text="It affects every agency across the county."
    )
    priority = models.ForeignKey(
        Priority,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="register_issues",
        help_text="The business plan priority it bears on.",
    )
    likelihood = models.PositiveSmallIntegerField(validators=SCALE)
    impact = models.PositiveSmallIntegerField(validators=SCALE)
    score = models.PositiveSmallIntegerField(editable=False)
    rating = models.ForeignKey(
        RiskRating, on_delete=models.PROTECT, null=True, editable=False, related_name="issues"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="register_issues"
    )
    proposed_improvement = models.TextField(max_length=8000)
    review_date = models.DateField()
    status = FSMField(max_length=16, choices=IssueStatus.choices, default=IssueStatus.OPEN)
    good_practice = models.ManyToManyField(
        "GoodPractice", blank=True, related_name="issues", verbose_name="good practice"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = IssueQuerySet.as_manager()

    class Meta:
        ordering = ["-score", "review_date", "pk"]
        # The register's sort orders (subgroups.filters.SORTS), so that a page of it reads 25
        # issues in order rather than sorting them all; and its live issues by review date, for
        # its counts and its overdue reviews.
        indexes = [
            models.Index(fields=["-score", "review_date", "id"], name="issue_by_risk"),
            models.Index(fields=["review_date", "-score", "id"], name="issue_by_review"),
            models.Index(fields=["-created_at", "-id"], name="issue_newest_first"),
            models.Index(fields=["title", "id"], name="issue_by_title"),
            models.Index(fields=["status", "review_date"], name="issue_by_status_review"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(likelihood__gte=1, likelihood__lte=5, impact__gte=1, impact__lte=5),
                name="issue_scale_one_to_five",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("subgroups:issue_detail", kwargs={"pk": self.pk})

    @property
    def reference(self) -> str:
        return reference_for(self.pk) if self.pk else "IO-new"

    @property
    def is_live(self) -> bool:
        return self.status in OPEN_ISSUE_STATUSES

    @transition(field=status, source=IssueStatus.OPEN, target=IssueStatus.MONITORING)
    def monitor(self) -> None:
        """Improvements are in place; the group watches whether they work."""

    @transition(
        field=status,
        source=[IssueStatus.OPEN, IssueStatus.MONITORING],
        target=IssueStatus.RESOLVED,
    )
    def resolve(self) -> None:
        """The improvement worked."""

    @transition(field=status, source=IssueStatus.RESOLVED, target=IssueStatus.CLOSED)
    def close(self) -> None:
        """Taken off the live register."""

    @transition(
        field=status,
        source=[IssueStatus.MONITORING, IssueStatus.RESOLVED, IssueStatus.CLOSED],
        target=IssueStatus.OPEN,
    )
    def reopen(self) -> None:
        """Back on the register: a reason is always recorded."""

    @transition(
        field=status,
        source=[IssueStatus.OPEN, IssueStatus.MONITORING],
        target=IssueStatus.ESCALATED,
    )
    def escalate(self) -> None:
        """Proposed to the Strategic Board."""

    @transition(field=status, source=IssueStatus.ESCALATED, target=IssueStatus.OPEN)
    def return_from_board(self) -> None:
        """The Board returned it to the group, or referred it on, or accepted it."""


class IssueUpdate(models.Model):
    """A dated progress update on an issue, and the move of status it recorded, if any: who,
    when, from, to and why."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(default=timezone.now)
    text = models.TextField(max_length=4000)
    status_from = models.CharField(max_length=16, choices=IssueStatus.choices, blank=True)
    status_to = models.CharField(max_length=16, choices=IssueStatus.choices, blank=True)

    class Meta:
        ordering = ["-written_at", "-pk"]

    def __str__(self) -> str:
        return f"Update on {self.issue.reference} by {self.author}"


# The criteria of the Improving Outcomes subgroup's remit for escalating an issue of significant
# risk to the Strategic Board, as the seed text words them.
ESCALATION_CRITERIA = {
    "countywide_or_national": "It has countywide or national implications",
    "beyond_remit": "It extends beyond the remit of the Strategic Board",
    "lack_of_cooperation": "It results from a serious lack of co-operation of one or more agencies",
}


class EscalationStatus(models.TextChoices):
    AWAITING_MEETING = "awaiting_meeting", "Waiting for a Strategic Board meeting"
    ON_AGENDA = "on_agenda", "On the Strategic Board's agenda"
    DECIDED = "decided", "Decided"


class EscalationDecision(models.TextChoices):
    ACCEPT = "accept", "Accepted: the Board takes action"
    RETURN = "return", "Returned to the group with advice"
    REFER_ON = "refer_on", "Referred on"


class Escalation(ConcurrentTransitionMixin, models.Model):
    """A proposal to escalate an issue of significant risk to the Strategic Board, and the
    Board's decision."""

    issue = models.ForeignKey(Issue, on_delete=models.PROTECT, related_name="escalations")
    countywide_or_national = models.BooleanField(
        ESCALATION_CRITERIA["countywide_or_national"], default=False
    )
    beyond_remit = models.BooleanField(ESCALATION_CRITERIA["beyond_remit"], default=False)
    lack_of_cooperation = models.BooleanField(
        ESCALATION_CRITERIA["lack_of_cooperation"], default=False
    )
    uncooperative_agencies = models.ManyToManyField(
        Agency, blank=True, related_name="+", verbose_name="agencies not co-operating"
    )
    rationale = models.TextField(max_length=8000)
    recommendations = models.TextField("recommendations for action", max_length=8000)
    score_when_proposed = models.PositiveSmallIntegerField(editable=False)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    status = FSMField(
        max_length=20, choices=EscalationStatus.choices, default=EscalationStatus.AWAITING_MEETING
    )
    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="escalations"
    )
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision = models.CharField(max_length=16, choices=EscalationDecision.choices, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    decision_notes = models.TextField("the Board's advice or reasons", max_length=8000, blank=True)
    referred_to = models.CharField(max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    notified_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the board chair and the secretariat were emailed about the proposal.",
    )

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(countywide_or_national=True)
                | Q(beyond_remit=True)
                | Q(lack_of_cooperation=True),
                name="escalation_meets_a_criterion",
                violation_error_message="Choose at least one reason the issue must be escalated.",
            ),
            models.CheckConstraint(
                condition=Q(decision="") | Q(decided_on__isnull=False),
                name="escalation_decision_is_dated",
            ),
        ]

    def __str__(self) -> str:
        return f"Escalation of {self.issue.reference}"

    def get_absolute_url(self) -> str:
        return reverse("subgroups:escalation_detail", kwargs={"pk": self.pk})

    @property
    def criteria(self) -> list[str]:
        return [text for name, text in ESCALATION_CRITERIA.items() if getattr(self, name)]

    @transition(
        field=status, source=EscalationStatus.AWAITING_MEETING, target=EscalationStatus.ON_AGENDA
    )
    def place_on_agenda(self) -> None:
        """An item on the next Strategic Board meeting's agenda carries it."""

    @transition(
        field=status,
        source=[EscalationStatus.AWAITING_MEETING, EscalationStatus.ON_AGENDA],
        target=EscalationStatus.DECIDED,
    )
    def decide(self) -> None:
        """The Board has accepted it, returned it or referred it on. Once only."""


class GoodPracticeScope(models.TextChoices):
    LOCAL = "local", "Local"
    NATIONAL = "national", "National"


class GoodPractice(models.Model):
    """Local or national practice the board bases its aspirations on."""

    title = models.CharField(max_length=200)
    scope = models.CharField(max_length=16, choices=GoodPracticeScope.choices)
    source = models.CharField(
        max_length=300, help_text="Where it comes from: an agency, a review, a national body."
    )
    summary = models.TextField(max_length=8000)
    link = models.URLField(max_length=500, blank=True)
    theme = models.CharField(max_length=120, help_text="For example: neglect, exploitation.")
    agencies = models.ManyToManyField(Agency, blank=True, related_name="good_practice")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-added_at", "-pk"]
        verbose_name = "good practice"
        verbose_name_plural = "good practice"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("subgroups:good_practice_detail", kwargs={"pk": self.pk})
