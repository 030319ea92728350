"""The panel's review of a death: its category, the factors in each domain, whether they were
modifiable, and its recommendations."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from hscb.models import Action

from .deaths import ChildDeath, DeathCategory


class Modifiable(models.TextChoices):
    YES = "yes", "Yes: modifiable factors were identified"
    NO = "no", "No modifiable factors were identified"
    INSUFFICIENT = "insufficient", "Insufficient information to decide"


class Domain(models.TextChoices):
    INTRINSIC = "intrinsic", "Factors intrinsic to the child"
    FAMILY = "family", "Factors in the social environment, including family and parenting"
    PARENTING = "parenting", "Parenting capacity"
    SERVICES = "services", "Service provision"


class Influence(models.TextChoices):
    NOT_AVAILABLE = "0", "0: information not available"
    UNLIKELY = "1", "1: identified, but unlikely to have contributed to the death"
    CONTRIBUTED = "2", "2: identified, may have contributed to vulnerability, ill health or death"


class PanelReview(models.Model):
    """The panel's conclusions on one death. Closing the case needs a category and a judgement
    on modifiable factors."""

    death = models.OneToOneField(ChildDeath, on_delete=models.PROTECT, related_name="review")
    category = models.ForeignKey(
        DeathCategory, on_delete=models.PROTECT, null=True, blank=True, related_name="reviews"
    )
    modifiable = models.CharField(
        "modifiable factors", max_length=16, choices=Modifiable.choices, blank=True
    )
    summary = models.TextField("the panel's summary", max_length=10000, blank=True)
    abuse_or_neglect_factor = models.BooleanField(
        "abuse or neglect may have been a factor", default=False
    )
    closed_on = models.DateField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # The statistics count the reviews completed each year.
        indexes = [models.Index(fields=["closed_on"], name="cdop_review_closed_idx")]

    def __str__(self) -> str:
        return f"Panel review of {self.death}"


class Factor(models.Model):
    review = models.ForeignKey(PanelReview, on_delete=models.CASCADE, related_name="factors")
    domain = models.CharField(max_length=16, choices=Domain.choices)
    description = models.CharField(max_length=500)
    influence = models.CharField(max_length=1, choices=Influence.choices)

    class Meta:
        ordering = ["review", "domain", "pk"]

    def __str__(self) -> str:
        return self.description


class PanelRecommendation(models.Model):
    """A recommendation of the panel; it can become an action of the panel's, with an owner."""

    review = models.ForeignKey(
        PanelReview, on_delete=models.CASCADE, related_name="recommendations"
    )
    text = models.TextField(max_length=5000)
    action = models.OneToOneField(
        Action, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["review", "added_at", "pk"]

    def __str__(self) -> str:
        return self.text[:80]
