"""The panel's cases: the list, one case, and its progress (the joint agency response,
information from agencies, the child death review meeting and the panel meeting), and a
possible duplicate dismissed.

Child deaths are for the panel's members and the secretariat: the list answers 403 to anyone
else signed in, every page of a case 404. Every page that shows a case logs that the user saw
it (hscb.lib.access), once they are authorised.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.views.decorators.http import require_GET, require_http_methods

from hscb.lib.access import log_access

from ..forms.deaths import (
    AgencyInformationReceivedForm,
    AgencyInformationRequestForm,
    JarForm,
    PanelMeetingForm,
    ReviewMeetingForm,
)
from ..models import OPEN_DEATH_STATUSES, DeathStatus
from ..selectors import deaths as selectors
from ..services import progress as services
from ..services import referrals as referral_services

WORK = "cdop.work_on_death"


def _posted(request: HttpRequest):
    return request.POST if request.method == "POST" else None


# The list and one case --------------------------------------------------------------------------


@require_GET
def death_list(request: HttpRequest) -> HttpResponse:
    listing = selectors.death_listing(
        request.user, request.GET, page_number=request.GET.get("page")
    )
    return render(request, "cdop/deaths/death_list.html", {"listing": listing})


@require_GET
def death_detail(request: HttpRequest, pk: int) -> HttpResponse:
    death = selectors.get_death_for_user(request.user, pk)
    log_access(death)
    referrals = selectors.death_referrals(death)
    for referral in referrals:
        referral.send_problem = referral_services.send_problem(referral)
    is_open = death.status in OPEN_DEATH_STATUSES
    return render(
        request,
        "cdop/deaths/death_detail.html",
        {
            "death": death,
            "referrals": referrals,
            "reviewing_reason": selectors.reviewing_reason(death, referrals),
            "duplicates": selectors.death_duplicates(death),
            "reports": list(death.agency_reports.all()),
            "is_open": is_open,
            "can_work": request.user.has_perm(WORK, death),
            "can_send_referrals": request.user.has_perm("cdop.see_referrals"),
            "can_hold_review_meeting": is_open
            and death.review_meeting_on is None
            and death.status in (DeathStatus.NOTIFIED, DeathStatus.GATHERING),
            "can_list_for_panel": death.status in (DeathStatus.REVIEW_MEETING, DeathStatus.PANEL),
        },
    )


# The joint agency response --------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def death_jar(request: HttpRequest, pk: int) -> HttpResponse:
    death = selectors.get_death_for_user(request.user, pk, perm=WORK)
    log_access(death)
    initial = {}
    if death.jar_started_on:
        initial = {
            "started_on": death.jar_started_on,
            "lead": death.jar_lead,
            "summary": death.jar_summary,
        }
    form = JarForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.death_record_jar(death=death, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request, f"The joint agency response to {death.reference} has been saved."
            )
            return redirect(death)
    return render(request, "cdop/deaths/jar_form.html", {"form": form, "death": death})


# Information from agencies --------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def agency_information_request(request: HttpRequest, pk: int) -> HttpResponse:
    death = selectors.get_death_for_user(request.user, pk, perm=WORK)
    log_access(death)
    form = AgencyInformationRequestForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            report = services.agency_information_request(
                death=death, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                f"The request to {report.agency.name} for information on {death.reference} "
                "has been recorded.",
            )
            return redirect(death)
    return render(
        request,
        "cdop/deaths/agency_information_form.html",
        {"form": form, "death": death, "reports": list(death.agency_reports.all())},
    )


@require_http_methods(["GET", "POST"])
def agency_information_received(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.get_agency_information_for_user(request.user, pk)
    death = report.death
    log_access(death, report)
    form = AgencyInformationReceivedForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.agency_information_receive(
                report=report, received_on=form.cleaned_data["received_on"], by=request.user
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                f"The information from {report.agency.name} is recorded as received on "
                f"{date_format(report.received_on)}.",
            )
            return redirect(death)
    return render(
        request,
        "cdop/deaths/agency_information_received_form.html",
        {"form": form, "death": death, "report": report},
    )


# The child death review meeting and the panel meeting ---------------------------------------


@require_http_methods(["GET", "POST"])
def death_review_meeting(request: HttpRequest, pk: int) -> HttpResponse:
    death = selectors.get_death_for_user(request.user, pk, perm=WORK)
    log_access(death)
    form = ReviewMeetingForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.death_record_review_meeting(
                death=death, held_on=form.cleaned_data["held_on"], by=request.user
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                f"The child death review meeting on {death.reference} is recorded as held on "
                f"{date_format(form.cleaned_data['held_on'])}.",
            )
            return redirect(death)
    return render(request, "cdop/deaths/review_meeting_form.html", {"form": form, "death": death})


@require_http_methods(["GET", "POST"])
def death_panel_meeting(request: HttpRequest, pk: int) -> HttpResponse:
    death = selectors.get_death_for_user(request.user, pk, perm=WORK)
    log_access(death)
    form = PanelMeetingForm(
        _posted(request),
        meetings=selectors.panel_meeting_choices(death),
        initial={"meeting": death.panel_meeting_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            case = services.death_list_for_panel(
                death=death, meeting=form.cleaned_data["meeting"], by=request.user
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"{case.reference} is listed for the {case.panel_meeting}.")
            return redirect(death)
    return render(request, "cdop/deaths/panel_meeting_form.html", {"form": form, "death": death})


# Possible duplicates ----------------------------------------------------------------------------


def duplicate_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Not the same child": POST only, from either case's page, which it returns to."""
    flag = selectors.get_duplicate_for_user(request.user, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    back = flag.match if request.POST.get("from") == str(flag.match_id) else flag.death
    try:
        services.duplicate_dismiss(duplicate=flag, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"{flag.death.reference} and {flag.match.reference} are recorded as not the same "
            "child.",
        )
    return redirect(back)
