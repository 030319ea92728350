"""The business plan: this year's plan, any year's plan, and rating a priority's progress."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from hscb.forms.plan import PriorityProgressForm
from hscb.rules import roles_of
from hscb.selectors import plan as selectors
from hscb.services import plan as services


@require_GET
def plan_current(request: HttpRequest) -> HttpResponse:
    """To the plan for this business year (April to March), or else the latest plan."""
    plan = selectors.current_plan()
    if plan is not None:
        return redirect(plan)
    return render(
        request,
        "hscb/plan_missing.html",
        {
            "year": selectors.business_year(),
            "is_secretariat": roles_of(request.user).is_secretariat,
        },
    )


@require_GET
def plan_detail(request: HttpRequest, year: int) -> HttpResponse:
    page = selectors.plan_page_for_user(request.user, year)
    return render(
        request,
        "hscb/plan_detail.html",
        {
            "page": page,
            "plan": page.plan,
            "is_secretariat": roles_of(request.user).is_secretariat,
        },
    )


@require_http_methods(["GET", "POST"])
def priority_progress(request: HttpRequest, pk: int) -> HttpResponse:
    priority = selectors.get_priority_for_update(request.user, pk)
    initial = {"progress": priority.rag} if priority.rag else {}
    form = PriorityProgressForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.priority_progress_update(
                priority=priority,
                rag=form.cleaned_data["progress"],
                commentary=form.cleaned_data["commentary"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_service_errors(error, fields={"rag": "progress"})
        else:
            messages.success(
                request,
                f"Progress on priority {priority.number}, {priority.title}, is now "
                f"{priority.get_rag_display().lower()}.",
            )
            return redirect(f"{priority.plan.get_absolute_url()}#priority-{priority.number}")
    return render(
        request,
        "hscb/priority_progress.html",
        {
            "priority": priority,
            "form": form,
            "history": selectors.progress_history(priority),
        },
    )
