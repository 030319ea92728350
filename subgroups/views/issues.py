"""Register pages (issues): raise an issue, see it, change it, record its progress; and the
register of good practice."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from subgroups.forms.issues import GoodPracticeForm, IssueForm, IssueProgressForm
from subgroups.models import Issue, IssueStatus
from subgroups.selectors import issues as selectors
from subgroups.services import register as services


def _issue_form(request: HttpRequest, issue: Issue | None = None) -> IssueForm:
    return IssueForm(
        request.POST if request.method == "POST" else None,
        agencies=selectors.agency_choices(include=issue.agencies.all() if issue else None),
        priorities=selectors.priority_choices(include=issue.priority if issue else None),
        owner_choices=selectors.owner_choices(include=issue.owner if issue else None),
        good_practice=selectors.good_practice_choices(
            include=issue.good_practice.all() if issue else None
        ),
        issue=issue,
    )


def _clash_message(clash: services.IssueChanged) -> str:
    status = IssueStatus(clash.status).label.lower()
    return (
        f"Someone else changed this issue's status while you were writing: it is now {status}. "
        "Your update has not been saved. Check the status and submit it again."
    )


@require_http_methods(["GET", "POST"])
def issue_create(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("subgroups.add_issue"):
        raise PermissionDenied("Only members of the Improving Outcomes subgroup raise issues.")
    form = _issue_form(request)
    if request.method == "POST" and form.is_valid():
        try:
            issue = services.issue_raise(by=request.user, **form.service_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"{issue.reference} “{issue.title}” is on the register.")
            return redirect(issue)
    return render(request, "subgroups/issue_form.html", {"form": form, "issue": None})


@require_GET
def issue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    issue = selectors.get_issue_for_user(request.user, pk)
    user = request.user
    return render(
        request,
        "subgroups/issue_detail.html",
        {
            "issue": issue,
            "updates": selectors.issue_updates(issue),
            "escalations": selectors.issue_escalations(issue),
            "review_overdue": issue.is_live and issue.review_date < timezone.localdate(),
            "can_update": user.has_perm("subgroups.update_issue", issue),
            "can_change": issue.status != IssueStatus.CLOSED
            and user.has_perm("subgroups.change_issue", issue),
            "can_escalate": issue.is_live
            and issue.status != IssueStatus.ESCALATED
            and user.has_perm("subgroups.propose_escalation", issue),
            "can_see_escalations": user.has_perm("subgroups.see_escalation"),
        },
    )


@require_http_methods(["GET", "POST"])
def issue_edit(request: HttpRequest, pk: int) -> HttpResponse:
    issue = selectors.get_issue_for_user(request.user, pk, perm="subgroups.change_issue")
    form = _issue_form(request, issue)
    if request.method == "POST" and form.is_valid():
        try:
            services.issue_change(issue=issue, by=request.user, **form.service_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"The details of {issue.reference} have been saved.")
            return redirect(issue)
    return render(request, "subgroups/issue_form.html", {"form": form, "issue": issue})


@require_http_methods(["GET", "POST"])
def issue_progress(request: HttpRequest, pk: int) -> HttpResponse:
    issue = selectors.get_issue_for_user(request.user, pk, perm="subgroups.update_issue")
    form = IssueProgressForm(request.POST if request.method == "POST" else None, issue=issue)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            update = services.issue_progress(
                issue=issue,
                by=request.user,
                text=data["text"],
                status=data["status"],
                seen_status=data["seen_status"],
            )
        except services.IssueChanged as clash:
            form.add_error(None, _clash_message(clash))
            form.show_current_status()
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            if update.status_to:
                moved = IssueStatus(update.status_to).label.lower()
                messages.success(request, f"Your update has been saved: the issue is now {moved}.")
            else:
                messages.success(request, "Your update has been saved.")
            return redirect(issue)
    return render(request, "subgroups/issue_progress.html", {"form": form, "issue": issue})


# Good practice ------------------------------------------------------------------------------------


@require_GET
def good_practice_list(request: HttpRequest) -> HttpResponse:
    listing = selectors.good_practice_listing(
        request.user, request.GET, page_number=request.GET.get("page")
    )
    return render(request, "subgroups/good_practice_list.html", {"listing": listing})


@require_http_methods(["GET", "POST"])
def good_practice_create(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("subgroups.add_good_practice"):
        raise PermissionDenied("Only members of the Improving Outcomes subgroup add good practice.")
    form = GoodPracticeForm(
        request.POST if request.method == "POST" else None,
        agencies=selectors.agency_choices(),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            practice = services.good_practice_add(
                by=request.user,
                title=data["title"],
                scope=data["scope"],
                source=data["source"],
                summary=data["summary"],
                link=data["link"],
                theme=data["theme"],
                agencies=list(data["agencies"]),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"“{practice.title}” is on the good-practice register.")
            return redirect(practice)
    return render(request, "subgroups/good_practice_form.html", {"form": form})


@require_GET
def good_practice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    practice = selectors.get_good_practice_for_user(request.user, pk)
    return render(
        request,
        "subgroups/good_practice_detail.html",
        {"practice": practice, "issues": selectors.good_practice_issues(request.user, practice)},
    )
