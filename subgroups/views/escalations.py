"""Escalations to the Strategic Board: proposing one, the list, one escalation, and recording
the Board's decision."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_GET, require_http_methods

from subgroups.forms.escalations import DecisionForm, EscalationForm
from subgroups.models import ESCALATION_CRITERIA, Escalation, EscalationStatus
from subgroups.selectors import escalations as selectors
from subgroups.selectors import issues as issue_selectors
from subgroups.services import register as services

DECISION_FIELDS = {"actions": "action_1_title"}


def _blocked_reason(issue) -> str:
    """Why the issue cannot be escalated on any grounds (closed, already escalated, below the
    threshold), or "" if it may be, given a criterion."""
    try:
        services.escalation_check(
            issue=issue,
            countywide_or_national=False,
            beyond_remit=False,
            lack_of_cooperation=False,
            uncooperative_agencies=[],
        )
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            return error.messages[0]
    return ""


def _placed_message(escalation: Escalation) -> str:
    reference = escalation.issue.reference
    if escalation.meeting is not None:
        when = date_format(timezone.localtime(escalation.meeting.starts_at).date())
        return (
            f"{reference} has been escalated. It is on the agenda of the Strategic Board's "
            f"meeting on {when}; the board chair and the secretariat have been told."
        )
    return (
        f"{reference} has been escalated. The Strategic Board has no meeting scheduled yet: it "
        "will go on the agenda of the next one when it is scheduled. The board chair and the "
        "secretariat have been told."
    )


@require_http_methods(["GET", "POST"])
def escalation_create(request: HttpRequest, pk: int) -> HttpResponse:
    issue = selectors.get_issue_to_escalate(request.user, pk)
    blocked = _blocked_reason(issue)
    form = EscalationForm(
        request.POST if request.method == "POST" else None,
        issue=issue,
        agencies=issue_selectors.agency_choices(include=issue.agencies.filter(is_active=True)),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            escalation = services.escalation_propose(
                issue=issue,
                by=request.user,
                rationale=data["rationale"],
                recommendations=data["recommendations"],
                **form.service_arguments(),
            )
        except services.IssueChanged as clash:
            form.add_error(
                None, f"{clash} Someone changed it while you were writing: nothing was saved."
            )
        except ValidationError as error:
            issue.refresh_from_db(fields=["status"])
            form.add_service_errors(error)
        else:
            messages.success(request, _placed_message(escalation))
            return redirect(escalation)
    return render(
        request,
        "subgroups/escalation_form.html",
        {
            "form": form,
            "issue": issue,
            "blocked": blocked,
            "criteria": ESCALATION_CRITERIA.values(),
            "threshold": services.significant_from(),
            "show_form": not blocked or request.method == "POST",
        },
    )


@require_GET
def escalation_list(request: HttpRequest) -> HttpResponse:
    listing = selectors.escalation_listing(
        request.user,
        page_number=request.GET.get("page"),
        waiting_page=request.GET.get("waiting"),
    )
    return render(request, "subgroups/escalation_list.html", {"listing": listing})


@require_GET
def escalation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    escalation = selectors.get_escalation_for_user(request.user, pk)
    return render(
        request,
        "subgroups/escalation_detail.html",
        {
            "escalation": escalation,
            "issue": escalation.issue,
            "rating_when_proposed": selectors.rating_when_proposed(escalation),
            "board_actions": selectors.board_actions(escalation),
            "can_decide": escalation.status != EscalationStatus.DECIDED
            and request.user.has_perm("subgroups.decide_escalation", escalation),
            "can_see_register": request.user.has_perm("subgroups.see_register", escalation.issue),
        },
    )


@require_http_methods(["GET", "POST"])
def escalation_decide(request: HttpRequest, pk: int) -> HttpResponse:
    escalation = selectors.get_escalation_for_user(
        request.user, pk, perm="subgroups.decide_escalation"
    )
    form = DecisionForm(
        request.POST if request.method == "POST" else None,
        owner_choices=selectors.decision_owner_choices(),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.escalation_decide(
                escalation=escalation,
                by=request.user,
                decision=data["decision"],
                decided_on=data["decided_on"],
                notes=data["notes"],
                referred_to=data["referred_to"],
                actions=data["actions"],
            )
        except ValidationError as error:
            # Nothing was saved: show the escalation as it is now (decided by someone else?).
            escalation.refresh_from_db()
            form.add_service_errors(error, fields=DECISION_FIELDS)
        else:
            label = escalation.get_decision_display()
            messages.success(request, f"The Board's decision has been recorded: {label}.")
            return redirect(escalation)
    return render(
        request,
        "subgroups/escalation_decide.html",
        {
            "form": form,
            "escalation": escalation,
            "issue": escalation.issue,
            "board_actions": selectors.board_actions(escalation),
        },
    )
