"""The Case Review subgroup's consideration of a notification against the statutory criteria,
and the board chair's decision."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from hscb.models import Meeting

from .notifications import Notification, ReviewType


class Answer(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_KNOWN = "not_known", "Not known yet"


class Consideration(models.Model):
    """The subgroup's assessment of each statutory criterion and its recommendation.

    The criteria (Working Together): abuse or neglect is known or suspected; and the child died,
    or was seriously harmed and there is cause for concern about how agencies worked together.
    A child's death in custody or a secure setting always meets them.
    """

    notification = models.OneToOneField(
        Notification, on_delete=models.CASCADE, related_name="consideration"
    )
    abuse_or_neglect = models.CharField(
        "abuse or neglect is known or suspected", max_length=16, choices=Answer.choices
    )
    child_died = models.CharField("the child died", max_length=16, choices=Answer.choices)
    seriously_harmed = models.CharField(
        "the child was seriously harmed", max_length=16, choices=Answer.choices
    )
    concern_working_together = models.CharField(
        "there is cause for concern about how agencies worked together",
        max_length=16,
        choices=Answer.choices,
    )
    died_in_custody = models.CharField(
        "the child died in custody or a secure setting", max_length=16, choices=Answer.choices
    )
    assessment = models.TextField(
        "the subgroup's assessment", max_length=10000, help_text="How each criterion was judged."
    )
    recommendation = models.ForeignKey(ReviewType, on_delete=models.PROTECT, related_name="+")
    rationale = models.TextField("reasons for the recommendation", max_length=10000)
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The subgroup meeting that considered it.",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, editable=False, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Consideration of {self.notification}"

    @property
    def criteria_met(self) -> bool:
        return criteria_met(
            abuse_or_neglect=self.abuse_or_neglect,
            child_died=self.child_died,
            seriously_harmed=self.seriously_harmed,
            concern_working_together=self.concern_working_together,
            died_in_custody=self.died_in_custody,
        )


def criteria_met(
    *,
    abuse_or_neglect: str,
    child_died: str,
    seriously_harmed: str,
    concern_working_together: str,
    died_in_custody: str,
) -> bool:
    """Whether the answers meet the statutory criteria for a review."""
    yes = Answer.YES
    if child_died == yes and died_in_custody == yes:
        return True
    return abuse_or_neglect == yes and (
        child_died == yes or (seriously_harmed == yes and concern_working_together == yes)
    )


class Decision(models.Model):
    """The board chair's decision: one for each notification, never recorded twice."""

    notification = models.OneToOneField(
        Notification, on_delete=models.PROTECT, related_name="decision"
    )
    review_type = models.ForeignKey(ReviewType, on_delete=models.PROTECT, related_name="decisions")
    reasons = models.TextField(max_length=10000, blank=True)
    criteria_met = models.BooleanField(
        editable=False, help_text="Whether the subgroup found the criteria met, when decided."
    )
    override_reason = models.TextField(
        "reason for deciding against the criteria",
        max_length=10000,
        blank=True,
        help_text="Needed when the decision does not follow from the criteria.",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, editable=False, related_name="+"
    )
    decided_on = models.DateField()
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # The latest decisions, newest first.
        indexes = [models.Index(fields=["-decided_on", "-id"], name="cr_decision_latest")]

    def __str__(self) -> str:
        return f"{self.notification}: {self.review_type}"
