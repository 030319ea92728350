"""Reviews in progress, their action plans and the lessons learnt.

Every page of a review is the case team's (the secretariat and the Case Review subgroup): anyone
else gets 404, as the review is part of a child's case. An action plan action is also its
owner's. Lessons, which carry no personal details, are for everyone with a board role once the
secretariat has approved them; the case team changes its own, which then wait for approval again.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django_fsm import can_proceed

from hscb.lib.access import log_access
from hscb.lib.uploads import serve_document

from ..forms.reviews import (
    AdoptForm,
    AgencyReportCreateForm,
    AgencyReportEditForm,
    LessonForm,
    MilestoneForm,
    PlanActionCreateForm,
    PlanActionUpdateForm,
    PublishForm,
    RecommendationForm,
    ReviewDetailsForm,
    ReviewReportForm,
)
from ..models import Review
from ..selectors import reviews as selectors
from ..services import lessons
from ..services import reviews as services

TEMPLATES = "casereview/reviews/"


def _data(request: HttpRequest):
    return request.POST if request.method == "POST" else None


# Reviews --------------------------------------------------------------------------------------


@require_GET
def review_list(request: HttpRequest) -> HttpResponse:
    listing = selectors.review_listing(
        request.user, request.GET, page_number=request.GET.get("page")
    )
    return render(request, TEMPLATES + "review_list.html", {"listing": listing})


@require_GET
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.get_review_for_user(request.user, pk)
    log_access(review, review.notification)
    return render(
        request,
        TEMPLATES + "review_detail.html",
        {
            "review": review,
            "page": selectors.review_page(review),
            "can_manage": request.user.has_perm("casereview.manage_review", review),
            "can_receive": can_proceed(review.receive_report),
            "can_adopt": can_proceed(review.adopt),
            "can_publish": can_proceed(review.publish),
        },
    )


@require_http_methods(["GET", "POST"])
def review_edit(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.get_review_for_user(request.user, pk, manage=True)
    form = ReviewDetailsForm(_data(request), review=review)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_update(review=review, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "The review's details have been saved.")
            return redirect(review)
    log_access(review)  # the form shows the terms of reference
    return render(request, TEMPLATES + "review_form.html", {"form": form, "review": review})


@require_http_methods(["GET", "POST"])
def milestone_create(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.get_review_for_user(request.user, pk, manage=True)
    form = MilestoneForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            milestone = services.milestone_create(
                review=review, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"The milestone “{milestone.title}” has been added.")
            return redirect(review)
    return render(
        request,
        TEMPLATES + "milestone_form.html",
        {"form": form, "review": review, "milestone": None},
    )


@require_http_methods(["GET", "POST"])
def milestone_edit(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = selectors.get_milestone_for_user(request.user, pk)
    form = MilestoneForm(
        _data(request),
        initial={
            "title": milestone.title,
            "due_on": milestone.due_on,
            "completed_on": milestone.completed_on,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.milestone_update(milestone=milestone, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"The milestone “{milestone.title}” has been saved.")
            return redirect(milestone.review)
    return render(
        request,
        TEMPLATES + "milestone_form.html",
        {"form": form, "review": milestone.review, "milestone": milestone},
    )


@require_http_methods(["GET", "POST"])
def agency_report_create(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.get_review_for_user(request.user, pk, manage=True)
    form = AgencyReportCreateForm(_data(request), agencies=selectors.review_agencies(review))
    if request.method == "POST" and form.is_valid():
        try:
            report = services.agency_report_create(
                review=review, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"The request to {report.agency.name} has been recorded.")
            return redirect(review)
    return render(request, TEMPLATES + "agency_report_form.html", {"form": form, "review": review})


@require_http_methods(["GET", "POST"])
def agency_report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.get_agency_report_for_user(request.user, pk)
    form = AgencyReportEditForm(
        _data(request), initial={"received_on": report.received_on, "note": report.note}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.agency_report_update(report=report, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"The report from {report.agency.name} has been updated.")
            return redirect(report.review)
    return render(
        request,
        TEMPLATES + "agency_report_edit.html",
        {"form": form, "review": report.review, "report": report},
    )


# The final report, adoption and publication ---------------------------------------------------


@require_http_methods(["GET", "POST"])
def review_report(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.get_review_for_user(request.user, pk, manage=True)
    form = ReviewReportForm(
        _data(request),
        request.FILES if request.method == "POST" else None,
        limit=filesizeformat(settings.PAPER_MAX_BYTES),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.review_report_receive(
                review=review,
                by=request.user,
                upload=form.cleaned_data["final_report"],
                received_on=form.cleaned_data["received_on"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "The final report has been received.")
            return redirect(review)
    return render(
        request,
        TEMPLATES + "report_form.html",
        {
            "form": form,
            "review": review,
            "allowed": can_proceed(review.receive_report),
            "refusal": services.received_message(review),
        },
    )


@never_cache
@require_GET
def review_report_download(request: HttpRequest, pk: int) -> FileResponse:
    """The final report as a download, for the case team only; never from a public address.
    Each download is in the access log."""
    review = selectors.get_review_for_user(request.user, pk, manage=True)
    if not review.final_report:
        raise Http404("No final report has been received for this review.")
    response = serve_document(
        review.final_report,
        name=review.final_report_name or "final-report",
        missing="The file of this report is missing.",
    )
    log_access(review, review.notification)
    return response


def _step(
    request: HttpRequest,
    pk: int,
    *,
    form_class,
    field: str,
    service,
    transition: str,
    refusal,
    title: str,
    done: str,
) -> HttpResponse:
    """A page recording one dated step of the review (adopted, published)."""
    review = selectors.get_review_for_user(request.user, pk, manage=True)
    form = form_class(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            service(review=review, by=request.user, **{field: form.cleaned_data[field]})
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, done)
            return redirect(review)
    return render(
        request,
        TEMPLATES + "step_form.html",
        {
            "form": form,
            "review": review,
            "title": title,
            "allowed": can_proceed(getattr(review, transition)),
            "refusal": refusal(review),
        },
    )


@require_http_methods(["GET", "POST"])
def review_adopt(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        form_class=AdoptForm,
        field="adopted_on",
        service=services.review_adopt,
        transition="adopt",
        refusal=services.adopt_message,
        title="Record the board's adoption of the final report",
        done="The board's adoption of the final report has been recorded.",
    )


@require_http_methods(["GET", "POST"])
def review_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        form_class=PublishForm,
        field="published_on",
        service=services.review_publish,
        transition="publish",
        refusal=services.publish_message,
        title="Record the publication of the report",
        done="The publication has been recorded: the review is complete and its deadline met.",
    )


# The action plan ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def recommendation_create(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.get_review_for_user(request.user, pk, manage=True)
    form = RecommendationForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            recommendation = services.recommendation_create(
                review=review, by=request.user, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Recommendation {recommendation.number} has been added.")
            return redirect(f"{review.get_absolute_url()}#recommendation-{recommendation.number}")
    return render(
        request,
        TEMPLATES + "recommendation_form.html",
        {
            "form": form,
            "review": review,
            "number": services.next_recommendation_number(review),
        },
    )


@require_http_methods(["GET", "POST"])
def plan_action_create(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation = selectors.get_recommendation_for_user(request.user, pk)
    form = PlanActionCreateForm(
        _data(request),
        agencies=selectors.review_agencies(recommendation.review),
        owner_choices=selectors.owner_choices(),
    )
    if request.method == "POST" and form.is_valid():
        try:
            action = services.plan_action_create(
                recommendation=recommendation, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            owner = action.owner.get_full_name() or action.owner.email
            messages.success(
                request,
                f"The action has been added to recommendation {recommendation.number} and "
                f"given to {owner}.",
            )
            return redirect(
                f"{recommendation.review.get_absolute_url()}#recommendation-{recommendation.number}"
            )
    return render(
        request,
        TEMPLATES + "plan_action_form.html",
        {"form": form, "review": recommendation.review, "recommendation": recommendation},
    )


@require_GET
def plan_action_list(request: HttpRequest) -> HttpResponse:
    listing = selectors.plan_action_listing(
        request.user, request.GET, page_number=request.GET.get("page")
    )
    return render(request, TEMPLATES + "plan_action_list.html", {"listing": listing})


@require_GET
def plan_action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    action = selectors.get_plan_action_for_user(request.user, pk)
    review: Review = action.recommendation.review
    return render(
        request,
        TEMPLATES + "plan_action_detail.html",
        {
            "action": action,
            "review": review,
            "history": selectors.plan_action_history(action),
            "can_update": request.user.has_perm("casereview.update_plan_action", action),
            "can_see_review": request.user.has_perm("casereview.see_review", review),
        },
    )


@require_http_methods(["GET", "POST"])
def plan_action_update(request: HttpRequest, pk: int) -> HttpResponse:
    action = selectors.get_plan_action_for_user(
        request.user, pk, perm="casereview.update_plan_action"
    )
    review = action.recommendation.review
    can_reassign = request.user.has_perm("casereview.manage_review", review)
    form = PlanActionUpdateForm(
        _data(request),
        action=action,
        seen_update=services.latest_update_pk(action),
        can_reassign=can_reassign,
        owner_choices=selectors.owner_choices(include=action.owner) if can_reassign else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            update = services.plan_action_update(
                action=action,
                by=request.user,
                note=data["note"],
                rag=data["rag"],
                status=data["status"],
                evidence=data["evidence"],
                seen_update=data["seen_update"],
                due_date=data.get("due_date"),
                owner=data.get("owner"),
            )
        except services.PlanActionChanged as clash:
            form.add_error(None, str(clash))
            form.show_current()
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                f"Your update has been saved: the action is {update.get_status_display().lower()}"
                f", RAG {update.get_rag_display().lower()}.",
            )
            return redirect(action)
    return render(
        request,
        TEMPLATES + "plan_action_update.html",
        {"form": form, "action": action, "review": review},
    )


# Lessons --------------------------------------------------------------------------------------

LESSON_FORM = "casereview/lessons/lesson_form.html"


@require_http_methods(["GET", "POST"])
def lesson_create(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.get_review_for_user(request.user, pk, manage=True)
    form = LessonForm(_data(request), agencies=selectors.review_agencies(review))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            lesson = lessons.lesson_create(
                review=review,
                by=request.user,
                theme=data["theme"],
                lesson=data["lesson"],
                practice_area=data["practice_area"],
                agencies=list(data["agencies"]),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                f"The lesson “{lesson.theme}” has been recorded. The secretariat will check it "
                "before it is shown on Lessons learnt.",
            )
            return redirect(f"{review.get_absolute_url()}#lessons")
    return render(request, LESSON_FORM, {"form": form, "review": review})


@require_http_methods(["GET", "POST"])
def lesson_update(request: HttpRequest, pk: int) -> HttpResponse:
    lesson = selectors.get_lesson_for_user(request.user, pk)
    review = lesson.review
    named = selectors.lesson_agency_ids(lesson)
    initial = {
        "theme": lesson.theme,
        "lesson": lesson.lesson,
        "practice_area": lesson.practice_area,
        "agencies": named,
    }
    form = LessonForm(
        _data(request),
        initial=initial,
        agencies=selectors.review_agencies(review, keep=named),
        keep=named,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            lessons.lesson_update(
                lesson=lesson,
                by=request.user,
                theme=data["theme"],
                text=data["lesson"],
                practice_area=data["practice_area"],
                agencies=list(data["agencies"]),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                f"The lesson “{lesson.theme}” has been saved. It waits for the secretariat's "
                "approval before it is shown on Lessons learnt.",
            )
            return redirect(f"{review.get_absolute_url()}#lessons")
    return render(request, LESSON_FORM, {"form": form, "review": review, "lesson": lesson})


@require_GET
def lesson_list(request: HttpRequest) -> HttpResponse:
    listing = selectors.lesson_listing(
        request.user, request.GET, page_number=request.GET.get("page")
    )
    return render(request, "casereview/lessons/lesson_list.html", {"listing": listing})
