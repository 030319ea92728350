"""Reviews in progress, their action plans and the lessons learnt from them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from hscb.lib.uploads import stored_name, validate_document
from hscb.models import Agency, Group, Rag
from hscb.models.reminders import Remindable

from .notifications import Notification, ReviewType


class ReviewStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    REPORT_RECEIVED = "report_received", "Final report received"
    ADOPTED = "adopted", "Adopted by the board"
    PUBLISHED = "published", "Published"


def report_upload_to(instance: Review, filename: str) -> str:
    return stored_name("reviews", filename)


class Review(ConcurrentTransitionMixin, models.Model):
    """A review the board chair decided to hold, from terms of reference to publication."""

    notification = models.OneToOneField(
        Notification, on_delete=models.PROTECT, related_name="review"
    )
    review_type = models.ForeignKey(ReviewType, on_delete=models.PROTECT, related_name="reviews")
    status = FSMField(max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.IN_PROGRESS)
    started_on = models.DateField()
    due_on = models.DateField(null=True, blank=True, help_text="From the decision's clock.")
    lead_reviewer = models.CharField("independent lead reviewer", max_length=200, blank=True)
    lead_reviewer_organisation = models.CharField(max_length=200, blank=True)
    lead_reviewer_independent = models.BooleanField(
        "the lead reviewer is independent of the agencies involved", default=False
    )
    terms_of_reference = models.TextField(max_length=20000, blank=True)
    terms_agreed_on = models.DateField("terms of reference agreed on", null=True, blank=True)
    final_report = models.FileField(
        upload_to=report_upload_to, validators=[validate_document], blank=True
    )
    final_report_name = models.CharField(max_length=255, blank=True, editable=False)
    final_report_received_on = models.DateField(null=True, blank=True)
    adopted_on = models.DateField("adopted by the board on", null=True, blank=True)
    published_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-started_on", "-pk"]
        indexes = [models.Index(fields=["-started_on", "-id"], name="cr_review_started")]

    def __str__(self) -> str:
        return f"{self.review_type} ({self.notification})"

    def get_absolute_url(self) -> str:
        return reverse("casereview:review_detail", kwargs={"pk": self.pk})

    @transition(field=status, source=ReviewStatus.IN_PROGRESS, target=ReviewStatus.REPORT_RECEIVED)
    def receive_report(self) -> None:
        """The lead reviewer's final report has come in."""

    @transition(field=status, source=ReviewStatus.REPORT_RECEIVED, target=ReviewStatus.ADOPTED)
    def adopt(self) -> None:
        """The board has adopted the final report."""

    @transition(field=status, source=ReviewStatus.ADOPTED, target=ReviewStatus.PUBLISHED)
    def publish(self) -> None:
        """The report has been published."""


class Milestone(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=200)
    due_on = models.DateField()
    completed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["review", "due_on", "pk"]

    def __str__(self) -> str:
        return self.title


class AgencyReport(models.Model):
    """A report requested from one agency for a review, and whether it has come in."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="agency_reports")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    requested_on = models.DateField()
    due_on = models.DateField()
    received_on = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["review", "agency__name"]
        constraints = [
            models.UniqueConstraint(fields=["review", "agency"], name="agency_report_once"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} report for {self.review}"


class Recommendation(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="recommendations")
    number = models.PositiveSmallIntegerField()
    text = models.TextField(max_length=5000)

    class Meta:
        ordering = ["review", "number"]
        constraints = [
            models.UniqueConstraint(fields=["review", "number"], name="recommendation_number_once"),
        ]

    def __str__(self) -> str:
        return f"Recommendation {self.number}"


class PlanActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    COMPLETE = "complete", "Complete"


class PlanAction(Remindable, models.Model):
    """An action of a review's action plan. Its owner is reminded of its due date; every change
    of RAG, status or evidence is a dated `PlanActionUpdate`, which the Audit subgroup audits."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="actions"
    )
    description = models.TextField(max_length=5000)
    lead_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_plan_actions"
    )
    due_date = models.DateField()
    rag = models.CharField("RAG status", max_length=8, choices=Rag.choices, default=Rag.AMBER)
    status = models.CharField(
        max_length=16, choices=PlanActionStatus.choices, default=PlanActionStatus.OPEN
    )
    evidence = models.TextField("evidence of completion", max_length=10000, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    group = models.ForeignKey(
        Group,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The group whose chair's digest lists it: the Case Review subgroup.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_date", "pk"]
        # The actions list, by due date: every action or those of a status (the case team),
        # or a person's own.
        indexes = [
            models.Index(fields=["due_date", "id"], name="cr_planaction_due"),
            models.Index(fields=["status", "due_date", "id"], name="cr_planaction_status"),
            models.Index(fields=["owner", "status", "due_date", "id"], name="cr_planaction_owner"),
        ]

    def __str__(self) -> str:
        return self.description[:80]

    def get_absolute_url(self) -> str:
        return reverse("casereview:plan_action_detail", kwargs={"pk": self.pk})


class PlanActionUpdate(models.Model):
    """A dated change to an action plan action: its RAG, status and evidence as they became."""

    action = models.ForeignKey(PlanAction, on_delete=models.CASCADE, related_name="updates")
    rag = models.CharField("RAG status", max_length=8, choices=Rag.choices)
    status = models.CharField(max_length=16, choices=PlanActionStatus.choices)
    evidence = models.TextField(max_length=10000, blank=True)
    note = models.TextField(max_length=5000)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    emailed_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the owner was emailed that the action is theirs (the claim that keeps "
        "the email from going twice).",
    )

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"Update to {self.action_id} on {self.at:%Y-%m-%d}"


class PracticeArea(models.TextChoices):
    ASSESSMENT = "assessment", "Assessment and analysis of risk"
    INFORMATION_SHARING = "information_sharing", "Information sharing"
    VOICE_OF_CHILD = "voice_of_child", "The voice of the child"
    NEGLECT = "neglect", "Recognising neglect"
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse"
    MENTAL_HEALTH = "mental_health", "Parental mental health and substance use"
    SAFE_SLEEP = "safe_sleep", "Safe sleeping and infant care"
    EXPLOITATION = "exploitation", "Exploitation and adolescents"
    ESCALATION = "escalation", "Professional challenge and escalation"
    SUPERVISION = "supervision", "Supervision and management oversight"
    TRANSITIONS = "transitions", "Transfers between services and areas"
    RECORD_KEEPING = "record_keeping", "Record keeping"
    OTHER = "other", "Other"


class LessonStatus(models.TextChoices):
    PENDING = "pending", "Waiting for approval"
    APPROVED = "approved", "Approved"
    RETURNED = "returned", "Sent back"


class Lesson(ConcurrentTransitionMixin, models.Model):
    """A lesson learnt from a review: for everyone with a board role to find, and later to link
    to training courses. It carries no child's personal details (the service refuses them), and
    is shown beyond the case team only once the secretariat has approved it; the secretariat may
    send it back with a reason instead. A lesson changed by the case team waits for approval
    again."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="lessons")
    theme = models.CharField(max_length=120)
    lesson = models.TextField(max_length=5000)
    practice_area = models.CharField(max_length=32, choices=PracticeArea.choices)
    agencies = models.ManyToManyField(Agency, blank=True, related_name="lessons")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, editable=False, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    status = FSMField(
        max_length=16, choices=LessonStatus.choices, default=LessonStatus.PENDING, db_index=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name="approved or sent back by",
    )
    decided_at = models.DateTimeField("approved or sent back at", null=True, blank=True)
    return_reason = models.TextField("why it was sent back", max_length=2000, blank=True)

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        # Lessons learnt (the approved ones) and the admin's list (all), newest first.
        indexes = [
            models.Index(fields=["status", "-recorded_at", "-id"], name="cr_lesson_status"),
            models.Index(fields=["-recorded_at", "-id"], name="cr_lesson_recorded"),
        ]

    def __str__(self) -> str:
        return self.theme

    @property
    def is_approved(self) -> bool:
        return self.status == LessonStatus.APPROVED

    @transition(field=status, source=LessonStatus.PENDING, target=LessonStatus.APPROVED)
    def approve(self) -> None:
        """The secretariat has checked it: everyone with a board role may read it."""

    @transition(
        field=status,
        source=[LessonStatus.PENDING, LessonStatus.APPROVED],
        target=LessonStatus.RETURNED,
    )
    def send_back(self) -> None:
        """The secretariat has sent it back to the case team, with a reason (an approved one
        is taken off the lessons page)."""

    @transition(field=status, source="*", target=LessonStatus.PENDING)
    def resubmit(self) -> None:
        """The case team has changed it: it waits for approval again."""
