"""Reads of escalations to the Strategic Board, scoped to the person asking. Lists run a fixed
number of queries whatever the number of escalations."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404

from hscb.models import Action, Group, GroupFunction, User
from hscb.selectors.actions import owner_choices
from subgroups.models import Escalation, EscalationStatus, Issue, RiskRating
from subgroups.services.register import rating_for

DECIDED_PER_PAGE = 25
WAITING_PER_PAGE = 25


def _escalations() -> QuerySet[Escalation]:
    return Escalation.objects.select_related(
        "issue__rating", "proposed_by", "decided_by", "meeting__group", "agenda_item"
    )


def get_issue_to_escalate(user: User, pk: int) -> Issue:
    """The issue to escalate: 404 if the user may not see the register, 403 if they may see it
    but not propose escalations (only the subgroup's chair and the secretariat may)."""
    issue = (
        Issue.objects.select_related("rating", "owner", "group")
        .prefetch_related("agencies")
        .filter(pk=pk)
        .first()
    )
    if issue is None or not user.has_perm("subgroups.see_register", issue):
        raise Http404("No such issue.")
    if not user.has_perm("subgroups.propose_escalation", issue):
        raise PermissionDenied("Only the subgroup's chair and the secretariat escalate issues.")
    return issue


def get_escalation_for_user(user: User, pk: int, *, perm: str | None = None) -> Escalation:
    """The escalation, or 404 if the user may not see it, or 403 if they may see it but `perm`
    (e.g. "subgroups.decide_escalation") is not theirs."""
    escalation = (
        _escalations()
        .select_related("issue__owner")
        .prefetch_related("uncooperative_agencies", "issue__agencies")
        .filter(pk=pk)
        .first()
    )
    if escalation is None or not user.has_perm("subgroups.see_escalation", escalation):
        raise Http404("No such escalation.")
    if perm and not user.has_perm(perm, escalation):
        raise PermissionDenied("Only the board chair and the secretariat record the decision.")
    return escalation


def rating_when_proposed(escalation: Escalation) -> RiskRating | None:
    return rating_for(escalation.score_when_proposed)


def board_actions(escalation: Escalation) -> list[Action]:
    """The Strategic Board's actions that came from accepting the escalation: those recorded
    against its agenda item or, for one decided before it reached an agenda, those the service
    described as coming from it."""
    if not escalation.decision:
        return []
    actions = Action.objects.filter(group__function=GroupFunction.STRATEGIC_BOARD)
    if escalation.agenda_item_id:
        actions = actions.filter(
            meeting_id=escalation.meeting_id, agenda_item_id=escalation.agenda_item_id
        )
    else:
        actions = actions.filter(
            meeting=None,
            agenda_item=None,
            description__startswith=f"From the escalation of {escalation.issue.reference}:",
        )
    return list(actions.select_related("owner__agency", "group").order_by("due_date", "pk"))


def decision_owner_choices() -> list:
    """Who can own a Board action: the Board's members first, then everyone else."""
    board = Group.objects.filter(function=GroupFunction.STRATEGIC_BOARD).first()
    if board is None:
        raise Http404("The board has no Strategic Board group.")
    return owner_choices(board)


@dataclass
class EscalationListing:
    waiting: Page
    decided: Page


def escalation_listing(
    user: User, *, page_number: str | None = None, waiting_page: str | None = None
) -> EscalationListing:
    """Escalations waiting for the Board's decision (oldest first), then those decided (latest
    first), each a page at a time. 403 for anyone who may not see escalations."""
    if not user.has_perm("subgroups.see_escalation"):
        raise PermissionDenied("Escalations are for the Improving Outcomes subgroup and the Board.")
    waiting = _escalations().exclude(status=EscalationStatus.DECIDED).order_by("proposed_at", "pk")
    decided = _escalations().filter(status=EscalationStatus.DECIDED).order_by("-decided_on", "-pk")
    return EscalationListing(
        waiting=Paginator(waiting, WAITING_PER_PAGE).get_page(waiting_page),
        decided=Paginator(decided, DECIDED_PER_PAGE).get_page(page_number),
    )
