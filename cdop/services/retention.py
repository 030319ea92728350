"""Records retention for the Child Death Overview Panel (hscb.lib.retention, README "Records
policy").

A child death (with its agency reports, possible duplicates, cross-area referrals and the
panel's review with its factors and recommendations) is deleted `RETENTION_CHILD_DEATH_YEARS`
after the date of death, through `delete_with_history`, which takes the child's details (the
fields registered here, and the notifier's contact details) out of their history. A death the
panel referred to case review goes before that case can: the case keeps the referral's link
until then. The panel has no drafts: a death is notified in one go.

Deleting deaths changes the statistics of the years they fell in: the defaults keep them long
after any report would look back at them.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from hscb.lib.retention import (
    delete_with_history,
    long_date,
    register_child_details,
    register_retention,
    years_before,
)

from ..models import ChildDeath, Factor, PanelRecommendation, PanelReview, Referral

CHILD_DETAILS: dict[type, tuple[str, ...]] = {
    ChildDeath: (
        "first_name",
        "last_name",
        "nhs_number",
        "name_key",
        "date_of_birth",
        "sex",
        "ethnicity",
        "died_on",
        "died_at_time",
        "place_area",
        "place_setting",
        "place_detail",
        "residence_area",
        "looked_after_by",
        "circumstances",
        "age_days",
        "age_years",
        "jar_lead",
        "jar_summary",
        # The notifier, who may have no account: their contact details go with the record.
        "notifier_name",
        "notifier_role",
        "notifier_email",
        "notifier_phone",
        "notifier_organisation",
    ),
    Referral: ("how_told", "outcome_note"),
    PanelReview: ("summary",),
    Factor: ("description",),
    PanelRecommendation: ("text",),
}
# Models whose text is free text that may name the child.
NAMES_IN_REPR = (Factor, PanelRecommendation)


def deaths_due(now: datetime.datetime) -> QuerySet[ChildDeath]:
    """Deaths the policy no longer keeps: `RETENTION_CHILD_DEATH_YEARS` after the date of
    death."""
    before = years_before(timezone.localtime(now), settings.RETENTION_CHILD_DEATH_YEARS).date()
    return ChildDeath.objects.filter(died_on__lte=before)


def death_delete(*, death: ChildDeath, now: datetime.datetime) -> bool:
    """Delete a death the policy no longer keeps, with everything recorded about it; the
    child's details leave the history. Checked again under a lock (False when it is no longer
    due)."""
    with transaction.atomic():
        locked = deaths_due(now).select_for_update().filter(pk=death.pk).first()
        if locked is None:
            return False
        for referral in Referral.objects.filter(death=locked):
            delete_with_history(referral)
        review = PanelReview.objects.filter(death=locked).first()
        if review is not None:
            delete_with_history(review)
        delete_with_history(locked)
    return True


def register() -> None:
    """Called from the app's `ready()`."""
    for model, fields in CHILD_DETAILS.items():
        register_child_details(model, fields, names_in_repr=model in NAMES_IN_REPR)
    register_retention(
        key="cdop-deaths",
        label="Child deaths and their reviews",
        period=lambda: f"{settings.RETENTION_CHILD_DEATH_YEARS} years after the date of death",
        due=deaths_due,
        delete=lambda death, now: death_delete(death=death, now=now),
        reference=lambda death: f"{death.reference}, notified {long_date(death.notified_at)}",
    )
