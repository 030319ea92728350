"""The Case Review subgroup's cases: the list, one case, the national notification and other
deadlines met, the subgroup's consideration, the board chair's decision, possible duplicates
and the notifications' documents.

Every page about a case logs that the user saw it (hscb.lib.access), once they are authorised.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from hscb.lib.access import log_access
from hscb.lib.uploads import serve_document

from ..forms.cases import (
    ClockMetForm,
    ConsiderationForm,
    DecisionForm,
    DuplicateResolveForm,
    PanelNotifiedForm,
)
from ..models import ClockKind, Decision, DuplicateStatus, NotificationStatus, Outcome, ReviewType
from ..selectors import cases as selectors
from ..services import cases as services
from ..services.clocks import ClockRuleMissing, rapid_review_type
from ..services.duplicates import duplicate_resolve as resolve

WORK = "casereview.work_on_case"


def _related(obj, name: str):
    """A reverse one-to-one (the consideration, decision or review), or None when there is none:
    the case's selector has already read it, so this asks the database nothing."""
    try:
        return getattr(obj, name)
    except ObjectDoesNotExist:
        return None


def _active_review_types() -> list[ReviewType]:
    return list(
        ReviewType.objects.filter(is_active=True)
        .exclude(outcome=Outcome.RAPID_REVIEW)
        .order_by("order", "name")
    )


# The list and one case --------------------------------------------------------------------------


@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    listing = selectors.case_listing(request.user, request.GET, page_number=request.GET.get("page"))
    return render(request, "casereview/cases/case_list.html", {"listing": listing})


@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notification = selectors.get_case_for_user(request.user, pk)
    log_access(notification)
    user = request.user
    team = user.has_perm(WORK, notification)
    merged = notification.status == NotificationStatus.MERGED
    clocks = selectors.case_clocks(notification)
    consideration = _related(notification, "consideration")
    return render(
        request,
        "casereview/cases/case_detail.html",
        {
            "notification": notification,
            "clocks": clocks,
            "consideration": consideration,
            "decision": _related(notification, "decision"),
            "review": _related(notification, "review"),
            "is_team": team,
            "duplicates": selectors.case_duplicates(notification) if team else [],
            "can_record_panel": team and not merged and notification.panel_notified_on is None,
            "can_consider": notification.status == NotificationStatus.SUBMITTED
            and user.has_perm("casereview.consider_case", notification),
            "can_decide": notification.status == NotificationStatus.CONSIDERED
            and user.has_perm("casereview.decide_case", notification),
            "can_resolve": user.has_perm("casereview.resolve_duplicates"),
            "can_see_review": user.has_perm("casereview.see_review"),
        },
    )


# The national panel and Ofsted, and deadlines met ---------------------------------------------


@require_http_methods(["GET", "POST"])
def case_panel_notified(request: HttpRequest, pk: int) -> HttpResponse:
    notification = selectors.get_case_for_user(request.user, pk, perm=WORK)
    log_access(notification)
    form = PanelNotifiedForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_record_panel_notified(
                notification=notification,
                notified_on=form.cleaned_data["notified_on"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_service_errors(error)
            notification.refresh_from_db()
        else:
            rapid = case.clocks.get(kind=ClockKind.RAPID_REVIEW)
            messages.success(
                request,
                f"The national notification of {case.reference} has been recorded. The rapid "
                f"review is due by {date_format(rapid.due_on)}.",
            )
            return redirect(case)
    try:
        rapid_type = rapid_review_type()
    except ClockRuleMissing:
        rapid_type = None
    return render(
        request,
        "casereview/cases/panel_notified_form.html",
        {
            "form": form,
            "notification": notification,
            "panel_clock": next(
                (c for c in notification.clocks.all() if c.kind == ClockKind.PANEL_NOTIFICATION),
                None,
            ),
            "rapid_type": rapid_type,
        },
    )


@require_http_methods(["GET", "POST"])
def clock_met(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    notification = selectors.get_case_for_user(request.user, pk, perm=WORK)
    if kind not in ClockKind.values:
        raise Http404("No such deadline.")
    clock = next((c for c in notification.clocks.all() if c.kind == kind), None)
    if clock is None:
        raise Http404("This case has no such deadline.")
    log_access(notification)
    form = ClockMetForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        met_on = form.cleaned_data["met_on"]
        try:
            if kind == ClockKind.PANEL_NOTIFICATION:
                # Meeting this deadline is the national notification, which starts the rapid
                # review's clock.
                services.case_record_panel_notified(
                    notification=notification, notified_on=met_on, by=request.user
                )
            else:
                services.clock_record_met(
                    notification=notification, kind=kind, met_on=met_on, by=request.user
                )
        except ValidationError as error:
            form.add_service_errors(error, fields={"notified_on": "met_on"})
            clock.refresh_from_db()
        else:
            messages.success(
                request, f"“{clock.name}” is recorded as met on {date_format(met_on)}."
            )
            return redirect(notification)
    return render(
        request,
        "casereview/cases/clock_met_form.html",
        {
            "form": form,
            "notification": notification,
            "clock": selectors.describe_clock(
                clock,
                timezone.localdate(),
                merged=notification.status == NotificationStatus.MERGED,
            ),
        },
    )


# The subgroup's consideration and the board chair's decision ----------------------------------


@require_http_methods(["GET", "POST"])
def case_consider(request: HttpRequest, pk: int) -> HttpResponse:
    notification = selectors.get_case_for_user(request.user, pk, perm="casereview.consider_case")
    log_access(notification)
    form = ConsiderationForm(
        request.POST if request.method == "POST" else None,
        review_types=_active_review_types(),
        meetings=selectors.consideration_meetings(),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            consideration = services.case_consider(
                notification=notification,
                by=request.user,
                **{name: data[name] for name in services.CRITERIA},
                assessment=data["assessment"],
                recommendation=data["recommendation"],
                rationale=data["rationale"],
                meeting=data["meeting"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
            notification.refresh_from_db()
        else:
            met = "meet" if consideration.criteria_met else "do not meet"
            messages.success(
                request,
                f"The subgroup's consideration of {notification.reference} has been recorded: "
                f"its answers {met} the statutory criteria. It now awaits the board chair's "
                "decision.",
            )
            return redirect(notification)
    return render(
        request,
        "casereview/cases/consider_form.html",
        {
            "form": form,
            "notification": notification,
            "consideration": _related(notification, "consideration"),
            "criteria_met": form.criteria_met(),
        },
    )


@require_http_methods(["GET", "POST"])
def case_decide(request: HttpRequest, pk: int) -> HttpResponse:
    notification = selectors.get_case_for_user(request.user, pk, perm="casereview.decide_case")
    log_access(notification)
    consideration = _related(notification, "consideration")
    form = DecisionForm(
        request.POST if request.method == "POST" else None,
        review_types=_active_review_types(),
        recommendation=consideration.recommendation if consideration else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            decision = services.case_decide(
                notification=notification,
                review_type=data["review_type"],
                reasons=data["reasons"],
                override_reason=data["override_reason"],
                decided_on=data["decided_on"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_service_errors(error)
            notification.refresh_from_db()
        else:
            messages.success(
                request,
                f"Your decision on {notification.reference} has been recorded: "
                f"{decision.review_type.name}.",
            )
            return redirect(notification)
    decision = None
    if notification.status == NotificationStatus.DECIDED:
        # Read again: it may have been recorded by another tab since the case was read.
        decision = (
            Decision.objects.select_related("review_type", "decided_by")
            .filter(notification=notification)
            .first()
        )
    return render(
        request,
        "casereview/cases/decide_form.html",
        {
            "form": form,
            "notification": notification,
            "consideration": consideration,
            "considered_on": services.considered_on(consideration) if consideration else None,
            "decision": decision,
        },
    )


@require_GET
def decision_list(request: HttpRequest) -> HttpResponse:
    listing = selectors.decision_listing(request.user, page_number=request.GET.get("page"))
    return render(request, "casereview/cases/decision_list.html", {"listing": listing})


# Possible duplicates ----------------------------------------------------------------------------


@require_GET
def duplicate_list(request: HttpRequest) -> HttpResponse:
    listing = selectors.duplicate_listing(request.user, page_number=request.GET.get("page"))
    for flag in listing.page.object_list:
        log_access(flag.notification, flag.match)
    return render(request, "casereview/cases/duplicate_list.html", {"listing": listing})


@require_http_methods(["GET", "POST"])
def duplicate_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    flag = selectors.get_duplicate_for_user(request.user, pk)
    log_access(flag.notification, flag.match)
    form = DuplicateResolveForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            resolved = resolve(
                duplicate=flag,
                resolution=form.cleaned_data["resolution"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_service_errors(error)
            flag.refresh_from_db()
        else:
            pair = f"{resolved.notification.reference} and {resolved.match.reference}"
            outcome = {
                DuplicateStatus.LINKED: f"{pair} are linked: the same child.",
                DuplicateStatus.MERGED: f"{pair} are merged: the same incident.",
                DuplicateStatus.NOT_DUPLICATE: f"{pair} are not the same child.",
            }[resolved.status]
            messages.success(request, outcome)
            return redirect("casereview:duplicate_list")
    return render(
        request,
        "casereview/cases/duplicate_resolve.html",
        {"form": form, "flag": flag},
    )


# Documents -------------------------------------------------------------------------------------


@never_cache
@require_GET
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    """A notification's document as a download, only for those who may see the notification or
    the case. Documents are never served from a public address."""
    attachment = selectors.get_attachment_for_user(request.user, pk)
    response = serve_document(
        attachment.file,
        name=attachment.original_name,
        missing="The file of this document is missing.",
    )
    log_access(attachment.notification, attachment)
    return response
