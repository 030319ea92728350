"""Reads of the panel's cases, scoped to the person asking.

Child deaths are for the Child Death Overview Panel's members and the secretariat only
(cdop/rules.py): the list answers 403 to anyone else signed in; a case, and everything on it,
404 (the board chair included). The list runs a fixed number of queries however many cases,
referrals and duplicates there are, and names no child.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404, QueryDict
from django.utils import timezone
from django.utils.formats import date_format

from hscb.models import GroupFunction, Meeting, MeetingStatus, User

from ..filters.deaths import DeathFilter
from ..models import (
    AgencyInformation,
    ChildDeath,
    DeathDuplicate,
    Referral,
    ReferralStatus,
    ReviewingPanel,
)
from .paging import page_by_keys
from .referrals import describe_referrals

DEATHS_PER_PAGE = 25
NO_CASE = "No such case."


def _open_referral() -> Exists:
    return Exists(
        Referral.objects.filter(death=OuterRef("pk")).exclude(
            status=ReferralStatus.OUTCOME_REPORTED
        )
    )


def _open_duplicate() -> Exists:
    return Exists(
        DeathDuplicate.objects.filter(
            Q(death=OuterRef("pk")) | Q(match=OuterRef("pk")), dismissed_at__isnull=True
        )
    )


# The list -------------------------------------------------------------------------------------


@dataclass
class DeathListing:
    filterset: DeathFilter
    page: Page


def death_listing(
    user: User, data: QueryDict | None, *, page_number: str | int | None = None
) -> DeathListing:
    """The panel's cases, latest death first, filtered, 25 to a page, each with whether a
    referral is open on it and whether it may duplicate another. 403 for anyone outside the
    panel team.

    The page's cases are found in the order of an index (cdop_death_latest_idx, or
    cdop_death_status_idx for a status), and only its 25 are then read with their area and
    asked whether a referral or a possible duplicate is open on them: a page deep in the list
    costs about what the first does."""
    if not user.has_perm("cdop.see_deaths"):
        raise PermissionDenied(
            "Child deaths are for the Child Death Overview Panel and the secretariat."
        )
    filterset = DeathFilter(data, queryset=ChildDeath.objects.order_by("-died_on", "-pk"))
    page = page_by_keys(filterset.qs, DEATHS_PER_PAGE, page_number, _listed)
    return DeathListing(filterset=filterset, page=page)


def _listed(keys: Sequence[int]) -> QuerySet[ChildDeath]:
    return (
        ChildDeath.objects.filter(pk__in=keys)
        .select_related("reviewing_area")
        .annotate(has_open_referral=_open_referral(), has_open_duplicate=_open_duplicate())
    )


# One case -------------------------------------------------------------------------------------


def _case() -> QuerySet[ChildDeath]:
    return ChildDeath.objects.select_related(
        "place_area",
        "residence_area",
        "looked_after_by",
        "reviewing_area",
        "notifier",
        "notifier_agency",
        "panel_meeting__group",
        "referred_to_case_review",
    )


def _authorise(user: User, death: ChildDeath | None, perm: str | None) -> ChildDeath:
    if death is None or not user.has_perm("cdop.see_death", death):
        raise Http404(NO_CASE)
    if perm and not user.has_perm(perm, death):
        raise PermissionDenied(
            "Only the Child Death Overview Panel and the secretariat work on child deaths."
        )
    return death


def get_death_for_user(user: User, pk: int, *, perm: str | None = None) -> ChildDeath:
    """The case with what its pages show: 404 for someone who may not see it; 403 for someone
    who may see it but not `perm`."""
    death = (
        _case()
        .filter(pk=pk)
        .prefetch_related(
            Prefetch(
                "agency_reports",
                queryset=AgencyInformation.objects.select_related("agency").order_by(
                    "requested_on", "agency__name", "pk"
                ),
            ),
            Prefetch(
                "referrals",
                queryset=Referral.objects.select_related("other_area").order_by("sent_on", "pk"),
            ),
        )
        .first()
    )
    return _authorise(user, death, perm)


def get_agency_information_for_user(user: User, pk: int) -> AgencyInformation:
    """One agency's report on a case, for the panel team; 404 for anyone else."""
    report = AgencyInformation.objects.filter(pk=pk).select_related("agency").first()
    if report is None:
        raise Http404("No such request for information.")
    report.death = _authorise(
        user, _case().filter(pk=report.death_id).first(), "cdop.work_on_death"
    )
    return report


def get_duplicate_for_user(user: User, pk: int) -> DeathDuplicate:
    """A possible duplicate, for the panel team; 404 for anyone else."""
    flag = DeathDuplicate.objects.filter(pk=pk).select_related("death", "match").first()
    if flag is None:
        raise Http404("No such possible duplicate.")
    _authorise(user, flag.death, "cdop.work_on_death")
    return flag


@dataclass
class DuplicateLine:
    flag: DeathDuplicate
    other: ChildDeath


def death_duplicates(death: ChildDeath) -> list[DuplicateLine]:
    """The notifications this case may duplicate, not yet dismissed, whichever side it is on."""
    flags = (
        DeathDuplicate.objects.filter(Q(death=death) | Q(match=death), dismissed_at__isnull=True)
        .select_related("death", "match")
        .order_by("flagged_at", "pk")
    )
    return [
        DuplicateLine(flag=flag, other=flag.match if flag.death_id == death.pk else flag.death)
        for flag in flags
    ]


def death_referrals(death: ChildDeath, today: datetime.date | None = None) -> list[Referral]:
    """The case's referrals (prefetched), each described with the step awaited."""
    return describe_referrals(death.referrals.all(), today or timezone.localdate())


def reviewing_reason(death: ChildDeath, referrals: list[Referral]) -> str:
    """Why the panel that reviews is the one it is, in words: the panels' agreement if there is
    one, else the default rule."""
    agreed = [r for r in referrals if r.agreed_on is not None]
    if agreed:
        last = agreed[-1]
        whose = "our panel" if last.reviewing_panel == ReviewingPanel.OURS else "their panel"
        return (
            f"Agreed with {last.other_area.name}'s panel on "
            f"{date_format(last.agreed_on)}: {whose} reviews."
        )
    if death.looked_after_by_id is not None:
        return (
            f"The default rule: the child was looked after by {death.looked_after_by.name}, "
            "so the panel of the authority looking after them reviews."
        )
    return (
        f"The default rule: the child normally lived in {death.residence_area.name}, so that "
        "area's panel reviews."
    )


def panel_meeting_choices(death: ChildDeath) -> QuerySet[Meeting]:
    """The Child Death Overview Panel's meetings the case may be listed for: not cancelled,
    from the day of the death on, soonest first."""
    since = timezone.make_aware(datetime.datetime.combine(death.died_on, datetime.time.min))
    return (
        Meeting.objects.filter(
            group__function=GroupFunction.CHILD_DEATH_OVERVIEW, starts_at__gte=since
        )
        .exclude(status=MeetingStatus.CANCELLED)
        .select_related("group")
        .order_by("starts_at", "pk")
    )
