"""The board's business plan: one a year, with priorities, their targets and measures, the
resources each group is given, and progress rated red, amber or green."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from hscb.models.board import Group


class Rag(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


RAG_MEANING = {
    Rag.RED: "Off track: needs the board's help",
    Rag.AMBER: "Some risk to delivery",
    Rag.GREEN: "On track",
}


class BusinessPlan(models.Model):
    """The plan for one year, April to March: `year` is the year it starts."""

    year = models.PositiveSmallIntegerField(
        unique=True,
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        help_text="The year the plan starts: 2026 for April 2026 to March 2027.",
    )
    title = models.CharField(max_length=200, blank=True)
    summary = models.TextField(blank=True, max_length=8000)

    class Meta:
        ordering = ["-year"]

    def __str__(self) -> str:
        return self.title or f"Business plan {self.period}"

    def get_absolute_url(self) -> str:
        return reverse("plan_detail", kwargs={"year": self.year})

    @property
    def period(self) -> str:
        return f"{self.year} to {self.year + 1}"


class Priority(models.Model):
    """One of the plan's priorities. Progress is its latest red/amber/green rating."""

    plan = models.ForeignKey(BusinessPlan, on_delete=models.CASCADE, related_name="priorities")
    number = models.PositiveSmallIntegerField(default=1)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True, max_length=4000)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="priorities_owned",
    )
    groups = models.ManyToManyField(
        Group, blank=True, related_name="priorities", help_text="The groups that lead on it."
    )
    rag = models.CharField("progress", max_length=8, choices=Rag.choices, blank=True)
    commentary = models.TextField(blank=True, max_length=1000)
    progress_updated_at = models.DateTimeField(null=True, blank=True, editable=False)
    progress_updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        ordering = ["plan", "number", "pk"]
        verbose_name_plural = "priorities"
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "number"],
                name="priority_number_unique_in_plan",
                violation_error_message="The plan already has a priority with this number.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Target(models.Model):
    """A key target of a priority and how it is measured."""

    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="targets")
    order = models.PositiveSmallIntegerField(default=0)
    text = models.CharField("target", max_length=500)
    measure = models.CharField(max_length=500, blank=True, help_text="How progress is measured.")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="targets_owned",
    )
    due_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["priority", "order", "pk"]

    def __str__(self) -> str:
        return self.text


class ProgressUpdate(models.Model):
    """A dated red/amber/green rating of a priority, with a short commentary: the history."""

    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="updates")
    rag = models.CharField("progress", max_length=8, choices=Rag.choices)
    commentary = models.TextField(max_length=1000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField()

    class Meta:
        ordering = ["-written_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.priority}: {self.get_rag_display()}"


class GroupResource(models.Model):
    """What a group is given for the year: staff time, budget, other support."""

    plan = models.ForeignKey(BusinessPlan, on_delete=models.CASCADE, related_name="resources")
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="resources")
    description = models.TextField(max_length=2000)
    budget = models.DecimalField(
        "budget (£)",
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )

    class Meta:
        ordering = ["plan", "group__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "group"],
                name="resource_one_row_per_group_per_plan",
                violation_error_message="This group already has resources in this plan.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.group} resources, {self.plan.period}"
