"""Reads of the cross-area referrals, for the panel's coordinator: every referral on one page,
each with the step awaited and when it is due, and one referral with its dated history.

Referrals are for the Child Death Overview Panel and the secretariat (cdop.see_referrals): the
list answers 403 to anyone else signed in, a referral's pages 404. The list runs a fixed number
of queries however many referrals there are.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page
from django.http import Http404, QueryDict
from django.urls import reverse
from django.utils import timezone

from hscb.lib.workingdays import working_days_between
from hscb.models import User

from ..filters.referrals import ReferralFilter
from ..models import Direction, Referral, ReferralStatus, ReviewingPanel
from ..models.referrals import LIST_ORDER
from .paging import page_by_keys

REFERRALS_PER_PAGE = 25

# The view that records each step awaited, by the status the referral is in.
STEP_VIEWS = {
    ReferralStatus.SENT: "cdop:referral_acknowledge",
    ReferralStatus.ACKNOWLEDGED: "cdop:referral_agree",
    ReferralStatus.AGREED: "cdop:referral_outcome",
}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def step_awaited(referral: Referral) -> str:
    """The step the referral waits for, in words ("" once the outcome is reported)."""
    area = referral.other_area.name
    if referral.status == ReferralStatus.SENT:
        if referral.direction == Direction.OUTBOUND:
            return f"{area}'s panel to acknowledge it"
        return f"Our acknowledgement to {area}'s panel"
    if referral.status == ReferralStatus.ACKNOWLEDGED:
        return "The panels to agree which reviews"
    if referral.status == ReferralStatus.AGREED:
        if referral.reviewing_panel == ReviewingPanel.THEIRS:
            return f"{area}'s panel to report the outcome"
        return f"Our report of the outcome to {area}'s panel"
    return ""


def describe_referral(referral: Referral, today: datetime.date) -> Referral:
    """Give the referral what its rows show: `awaited` (the step, in words), `step_url` (the
    page that records it), `due_text`, `is_overdue`, and `not_emailed` (an outbound referral
    whose email has not gone)."""
    referral.awaited = step_awaited(referral)
    view = STEP_VIEWS.get(referral.status)
    referral.step_url = reverse(view, kwargs={"pk": referral.pk}) if view else ""
    referral.is_overdue = False
    referral.due_text = ""
    due = referral.next_step_due
    if referral.awaited and due is not None:
        left = working_days_between(today, due)
        referral.is_overdue = due < today
        if referral.is_overdue:
            referral.due_text = f"Overdue by {_plural(-left, 'working day')}"
        elif due == today:
            referral.due_text = "Due today"
        else:
            referral.due_text = f"{_plural(left, 'working day')} left"
    referral.not_emailed = referral.direction == Direction.OUTBOUND and referral.emailed_at is None
    return referral


def describe_referrals(referrals: Iterable[Referral], today: datetime.date) -> list[Referral]:
    return [describe_referral(r, today) for r in referrals]


# The list -------------------------------------------------------------------------------------


@dataclass
class ReferralListing:
    filterset: ReferralFilter
    page: Page
    today: datetime.date


def referral_listing(
    user: User,
    data: QueryDict | None,
    *,
    page_number: str | int | None = None,
    today: datetime.date | None = None,
) -> ReferralListing:
    """Every referral, inbound and outbound: those awaiting a step first, soonest due first,
    then those done, newest first; 25 to a page. 403 for anyone outside the panel team."""
    if not user.has_perm("cdop.see_referrals"):
        raise PermissionDenied(
            "Cross-area referrals are for the Child Death Overview Panel and the secretariat."
        )
    today = today or timezone.localdate()
    # The page's referrals are found in the order of an index (cdop_referral_list_idx), then
    # read with their case and area: a page, not every referral joined and sorted.
    filterset = ReferralFilter(data, queryset=Referral.objects.order_by(*LIST_ORDER), today=today)
    page = page_by_keys(
        filterset.qs,
        REFERRALS_PER_PAGE,
        page_number,
        lambda keys: Referral.objects.filter(pk__in=keys).select_related("death", "other_area"),
    )
    describe_referrals(page.object_list, today)
    return ReferralListing(filterset=filterset, page=page, today=today)


# One referral ---------------------------------------------------------------------------------


def get_referral_for_user(user: User, pk: int) -> Referral:
    """The referral with its case and area: 404 for anyone outside the panel team."""
    referral = (
        Referral.objects.filter(pk=pk)
        .select_related("death__reviewing_area", "other_area", "owner", "group")
        .first()
    )
    if referral is None or not user.has_perm("cdop.see_referrals", referral):
        raise Http404("No such referral.")
    return referral


@dataclass
class Step:
    name: str
    on: datetime.date | None
    detail: str = ""
    recorded_by: User | None = None
    recorded_at: datetime.datetime | None = None


def referral_steps(referral: Referral) -> list[Step]:
    """The referral's steps in order, each with its date (None while awaited) and who recorded
    it and when (from its history)."""
    entries = (
        LogEntry.objects.get_for_object(referral)
        .select_related("actor")
        .order_by("timestamp", "pk")
    )
    recorded: dict[str, LogEntry] = {}
    for entry in entries:
        if entry.action == LogEntry.Action.CREATE:
            recorded.setdefault(ReferralStatus.SENT, entry)
        changes = entry.changes if isinstance(entry.changes, dict) else {}
        status = changes.get("status")
        if isinstance(status, list) and len(status) == 2:
            recorded.setdefault(status[1], entry)
    area = referral.other_area.name
    outbound = referral.direction == Direction.OUTBOUND
    steps = [
        Step(
            f"Referred to {area}'s panel" if outbound else f"Received from {area}'s panel",
            referral.sent_on,
        ),
        Step(
            "Acknowledged by their panel" if outbound else "Acknowledged by us",
            referral.acknowledged_on,
        ),
        Step(
            "Reviewing panel agreed",
            referral.agreed_on,
            detail=referral.get_reviewing_panel_display() if referral.reviewing_panel else "",
        ),
        Step("Outcome reported", referral.outcome_reported_on, detail=referral.outcome_note),
    ]
    for step, status in zip(steps, ReferralStatus.values, strict=True):
        entry = recorded.get(status)
        if entry is not None and step.on is not None:
            step.recorded_by = entry.actor
            step.recorded_at = entry.timestamp
    return steps
