"""Cross-area referrals: the coordinator's page of every referral, a death referred in by
another area's panel, one referral with its dated history, and each of its steps.

Referrals are for the panel's members and the secretariat: the list and the inbound form answer
403 to anyone else signed in, a referral's pages 404. Showing a referral is logged as a view of
it and of its case (hscb.lib.access).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_GET, require_http_methods

from hscb.lib.access import log_access
from hscb.models import Area

from ..forms.referrals import AcknowledgeForm, AgreeForm, InboundForm, OutcomeForm
from ..models import Direction, ReviewingPanel
from ..selectors import referrals as selectors
from ..services import referrals as services
from ..services.jurisdiction import panel_contact

SEE = "cdop.see_referrals"


def _posted(request: HttpRequest):
    return request.POST if request.method == "POST" else None


@require_GET
def referral_list(request: HttpRequest) -> HttpResponse:
    listing = selectors.referral_listing(
        request.user, request.GET, page_number=request.GET.get("page")
    )
    return render(request, "cdop/referrals/referral_list.html", {"listing": listing})


@require_http_methods(["GET", "POST"])
def referral_inbound(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(SEE):
        raise PermissionDenied(
            "Cross-area referrals are for the Child Death Overview Panel and the secretariat."
        )
    form = InboundForm(_posted(request), areas=Area.objects.filter(is_home=False).order_by("name"))
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.referral_record_inbound(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                f"{referral.death.reference} has been recorded, with the referral from "
                f"{referral.other_area.name}'s panel. Record our acknowledgement when it is sent.",
            )
            return redirect(referral)
    return render(request, "cdop/referrals/inbound_form.html", {"form": form})


@require_GET
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    referral = selectors.get_referral_for_user(request.user, pk)
    log_access(referral, referral.death)
    selectors.describe_referral(referral, timezone.localdate())
    default, why = services.default_reviewing_panel(referral)
    return render(
        request,
        "cdop/referrals/referral_detail.html",
        {
            "referral": referral,
            "death": referral.death,
            "steps": selectors.referral_steps(referral),
            "default_panel": default,
            "why": why,
            "contact": panel_contact(referral.other_area),
            "send_problem": services.send_problem(referral),
        },
    )


def _step_page(
    request: HttpRequest,
    referral,
    form,
    *,
    done_on,
    title: str,
    last: bool = False,
    rule: str = "",
) -> HttpResponse:
    return render(
        request,
        "cdop/referrals/step_form.html",
        {
            "form": form,
            "referral": referral,
            "death": referral.death,
            "done_on": done_on,
            "title": title,
            "is_last": last,
            "rule": rule,
            "answer_days": settings.CDOP_REFERRAL_ANSWER_WORKING_DAYS,
            "contact": panel_contact(referral.other_area),
        },
    )


def referral_send(request: HttpRequest, pk: int) -> HttpResponse:
    """Email an outbound referral to the other area's panel once the coordinator has checked the
    notification: POST only, from the referral's page or the case's (`back=death`), which it
    returns to."""
    referral = selectors.get_referral_for_user(request.user, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        services.referral_send(referral=referral, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        area = referral.other_area
        messages.success(
            request,
            f"The referral of {referral.death.reference} is being emailed to {area.name}'s panel "
            f"({area.cdop_email}).",
        )
    return redirect(referral.death if request.POST.get("back") == "death" else referral)


@require_http_methods(["GET", "POST"])
def referral_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    referral = selectors.get_referral_for_user(request.user, pk)
    log_access(referral, referral.death)
    form = AcknowledgeForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            done = services.referral_acknowledge(
                referral=referral,
                acknowledged_on=form.cleaned_data["acknowledged_on"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                f"The acknowledgement is recorded. The panels' agreement on which reviews is "
                f"due by {date_format(done.next_step_due)}.",
            )
            return redirect(referral)
    whose = (
        f"{referral.other_area.name}'s panel acknowledged our referral"
        if referral.direction == Direction.OUTBOUND
        else f"we acknowledged {referral.other_area.name}'s referral"
    )
    return _step_page(
        request,
        referral,
        form,
        done_on=referral.acknowledged_on,
        title=f"Record that {whose}",
    )


@require_http_methods(["GET", "POST"])
def referral_agree(request: HttpRequest, pk: int) -> HttpResponse:
    referral = selectors.get_referral_for_user(request.user, pk)
    log_access(referral, referral.death)
    default, why = services.default_reviewing_panel(referral)
    form = AgreeForm(_posted(request), other_area=referral.other_area, default=default)
    if request.method == "POST" and form.is_valid():
        try:
            done = services.referral_agree(referral=referral, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            if done.reviewing_panel == ReviewingPanel.THEIRS:
                outcome = (
                    f"{done.other_area.name}'s panel reviews {done.death.reference}: the case "
                    "is handed over to it."
                )
            else:
                outcome = f"Our panel reviews {done.death.reference}."
            messages.success(
                request,
                f"The agreement is recorded. {outcome} The outcome is due by "
                f"{date_format(done.next_step_due)}.",
            )
            return redirect(referral)
    return _step_page(
        request,
        referral,
        form,
        done_on=referral.agreed_on,
        title="Record which panel reviews the death",
        rule=why,
    )


@require_http_methods(["GET", "POST"])
def referral_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    referral = selectors.get_referral_for_user(request.user, pk)
    log_access(referral, referral.death)
    form = OutcomeForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_report_outcome(
                referral=referral,
                reported_on=form.cleaned_data["reported_on"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request, "The outcome is recorded: the referral is complete and nobody is chased."
            )
            return redirect(referral)
    return _step_page(
        request,
        referral,
        form,
        done_on=referral.outcome_reported_on,
        title="Record the outcome reported",
        last=True,
    )
