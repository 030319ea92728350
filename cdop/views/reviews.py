"""The panel's review of a death: its conclusions, factors and recommendations (which can become
actions of the panel), closing the case, and referring it to the Case Review subgroup.

Every page is part of a child's case: the panel team (the panel's members and the secretariat)
only; anyone else gets 404. Each page that shows the case is in the access log.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from hscb.forms.board import PK_MAX
from hscb.lib.access import log_access
from hscb.models import Meeting, User
from hscb.selectors.actions import owner_choices

from ..forms.reviews import (
    CloseForm,
    FactorForm,
    PanelReviewForm,
    RecommendationActionForm,
    RecommendationForm,
    ReferForm,
)
from ..models import ChildDeath, DeathCategory, DeathStatus, Factor, PanelRecommendation
from ..selectors.deaths import panel_meeting_choices
from ..services import review as services
from ..services.people import panel_group

TEMPLATES = "cdop/reviews/"


def _data(request: HttpRequest):
    return request.POST if request.method == "POST" else None


def _number(pk: int) -> int:
    """A primary key the database can look up (a bigger number finds nothing)."""
    return pk if pk <= PK_MAX else 0


def _authorise(user: User, death: ChildDeath | None) -> ChildDeath:
    """404 for anyone who may not see the case; 403 for anyone who may see but not work on it."""
    if death is None or not user.has_perm("cdop.see_death", death):
        raise Http404("No such case.")
    if not user.has_perm("cdop.work_on_death", death):
        raise PermissionDenied("You cannot change this case.")
    return death


def _death(request: HttpRequest, pk: int) -> ChildDeath:
    death = (
        ChildDeath.objects.select_related(
            "place_area",
            "residence_area",
            "looked_after_by",
            "reviewing_area",
            "referred_to_case_review",
        )
        .filter(pk=_number(pk))
        .first()
    )
    return _authorise(request.user, death)


def _review_url(death: ChildDeath, anchor: str = "") -> str:
    url = reverse("cdop:panel_review", kwargs={"pk": death.pk})
    return f"{url}#{anchor}" if anchor else url


def _log(death: ChildDeath) -> None:
    log_access(death, services.review_of(death))


def _categories(review) -> list[DeathCategory]:
    keep = Q(is_active=True)
    if review is not None and review.category_id:
        keep |= Q(pk=review.category_id)
    return list(DeathCategory.objects.filter(keep).order_by("number"))


# The review -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def panel_review(request: HttpRequest, pk: int) -> HttpResponse:
    death = _death(request, pk)
    review = services.review_of(death)
    form = PanelReviewForm(_data(request), categories=_categories(review), review=review)
    if request.method == "POST" and form.is_valid():
        try:
            services.panel_review_save(death=death, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"The panel's review of {death.reference} has been saved.")
            return redirect(_review_url(death))
    _log(death)
    factors = list(review.factors.all()) if review else []
    recommendations = (
        list(review.recommendations.select_related("action", "action__owner", "added_by"))
        if review
        else []
    )
    return render(
        request,
        TEMPLATES + "review.html",
        {
            "form": form,
            "death": death,
            "review": review,
            "factors": factors,
            "recommendations": recommendations,
            "is_open": death.status not in (DeathStatus.CLOSED, DeathStatus.ELSEWHERE),
            "close_problems": services.close_problems(death, review),
            "refer_problems": services.refer_problems(death, review, request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def factor_create(request: HttpRequest, pk: int) -> HttpResponse:
    death = _death(request, pk)
    form = FactorForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            factor = services.factor_create(death=death, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"The factor “{factor.description}” has been added.")
            return redirect(_review_url(death, "factors"))
    _log(death)
    return render(request, TEMPLATES + "factor_form.html", {"form": form, "death": death})


def factor_remove(request: HttpRequest, pk: int) -> HttpResponse:
    factor = Factor.objects.select_related("review__death").filter(pk=_number(pk)).first()
    death = _authorise(request.user, factor.review.death if factor else None)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        services.factor_remove(factor=factor, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"The factor “{factor.description}” has been removed.")
    return redirect(_review_url(death, "factors"))


@require_http_methods(["GET", "POST"])
def recommendation_create(request: HttpRequest, pk: int) -> HttpResponse:
    death = _death(request, pk)
    form = RecommendationForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.recommendation_create(
                death=death, by=request.user, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "The recommendation has been added.")
            return redirect(_review_url(death, "recommendations"))
    _log(death)
    return render(request, TEMPLATES + "recommendation_form.html", {"form": form, "death": death})


@require_http_methods(["GET", "POST"])
def recommendation_action(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation = (
        PanelRecommendation.objects.select_related("review__death", "action")
        .filter(pk=_number(pk))
        .first()
    )
    death = _authorise(request.user, recommendation.review.death if recommendation else None)
    group = panel_group()
    # The panel's meetings from the day of the death on (none before it can have reviewed the
    # case), latest first: not every meeting the panel has held in ten years.
    meetings = (
        panel_meeting_choices(death).filter(group=group).order_by("-starts_at", "-pk")
        if group is not None
        else Meeting.objects.none()
    )
    form = RecommendationActionForm(
        _data(request),
        owner_choices=owner_choices(group) if group is not None else [("", "Choose a person")],
        meetings=meetings,
        initial={
            "title": recommendation.text[: services.ACTION_TITLE_MAX],
            "description": f"A recommendation of the Child Death Overview Panel from its "
            f"review of case {death.reference}.",
            "meeting": death.panel_meeting_id,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            action = services.recommendation_make_action(
                recommendation=recommendation, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            owner = action.owner.get_full_name() or action.owner.email
            messages.success(
                request, f"The recommendation is now an action of the panel, given to {owner}."
            )
            return redirect(_review_url(death, "recommendations"))
    _log(death)
    return render(
        request,
        TEMPLATES + "recommendation_action.html",
        {"form": form, "death": death, "recommendation": recommendation},
    )


# Closing and referring ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def death_close(request: HttpRequest, pk: int) -> HttpResponse:
    death = _death(request, pk)
    form = CloseForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.death_close(
                death=death, by=request.user, closed_on=form.cleaned_data["closed_on"]
            )
        except ValidationError as error:
            form.add_service_errors(error)
        except (ConcurrentTransition, TransitionNotAllowed):
            current = ChildDeath.objects.get(pk=death.pk)
            messages.error(
                request,
                "Someone else changed this case while you were closing it: it is now "
                f"“{current.get_status_display().lower()}”. Check the review and try again.",
            )
            return redirect(_review_url(death))
        else:
            messages.success(request, f"Case {death.reference} has been closed.")
            return redirect(_review_url(death))
    review = services.review_of(death)
    _log(death)
    return render(
        request,
        TEMPLATES + "close_form.html",
        {"form": form, "death": death, "problems": services.close_problems(death, review)},
    )


def _last_phone(user: User) -> str:
    from casereview.models import Notification

    return (
        Notification.objects.filter(notifier=user)
        .exclude(notifier_phone="")
        .order_by("-updated_at", "-pk")
        .values_list("notifier_phone", flat=True)
        .first()
        or ""
    )


@require_http_methods(["GET", "POST"])
def death_refer_to_case_review(request: HttpRequest, pk: int) -> HttpResponse:
    death = _death(request, pk)
    form = ReferForm(_data(request), initial={"notifier_phone": _last_phone(request.user)})
    if request.method == "POST" and form.is_valid():
        try:
            notification = services.death_refer_to_case_review(
                death=death, by=request.user, notifier_phone=form.cleaned_data["notifier_phone"]
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                f"Case {death.reference} has been referred to the Case Review subgroup as "
                f"serious incident notification {notification.reference}.",
            )
            return redirect(_review_url(death))
    review = services.review_of(death)
    _log(death)
    return render(
        request,
        TEMPLATES + "refer_form.html",
        {
            "form": form,
            "death": death,
            "review": review,
            "problems": services.refer_problems(death, review, request.user),
            "agencies": services.agencies_that_gave_information(death),
        },
    )
