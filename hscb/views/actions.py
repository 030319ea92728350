"""Actions: "Your actions", a group's actions, one action, updates and chasing."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hscb.forms.actions import ActionCreateForm, ActionUpdateForm
from hscb.selectors import actions as selectors
from hscb.services import actions as services


@require_GET
def my_actions(request: HttpRequest) -> HttpResponse:
    mine = selectors.my_actions(request.user, request.GET, page_number=request.GET.get("page"))
    return render(request, "hscb/action_list_mine.html", {"mine": mine})


@require_GET
def group_actions(request: HttpRequest, slug: str) -> HttpResponse:
    group = selectors.get_group_for_actions(request.user, slug)
    listing = selectors.group_actions(
        request.user, group, request.GET, page_number=request.GET.get("page")
    )
    return render(request, "hscb/action_list_group.html", {"group": group, "listing": listing})


@require_http_methods(["GET", "POST"])
def action_create(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.get_meeting_for_new_action(request.user, pk)
    form = ActionCreateForm(
        request.POST if request.method == "POST" else None,
        meeting=meeting,
        owner_choices=selectors.owner_choices(meeting.group),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            action = services.action_create(
                group=meeting.group,
                meeting=meeting,
                agenda_item=data["agenda_item"],
                title=data["title"],
                description=data["description"],
                owner=data["owner"],
                due_date=data["due_date"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"The action “{action.title}” has been recorded.")
            return redirect(meeting.get_absolute_url())
    return render(request, "hscb/action_form.html", {"form": form, "meeting": meeting})


@require_GET
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    action = selectors.get_action_for_user(request.user, pk)
    return render(
        request,
        "hscb/action_detail.html",
        {
            "action": action,
            "notes": selectors.action_notes(action),
            "reminders": selectors.action_reminders(action),
            "can_update": request.user.has_perm("hscb.update_action", action),
            "can_chase": action.is_open and request.user.has_perm("hscb.chase_action", action),
        },
    )


@require_http_methods(["GET", "POST"])
def action_update(request: HttpRequest, pk: int) -> HttpResponse:
    action = selectors.get_action_for_user(request.user, pk, perm="hscb.update_action")
    can_reassign = request.user.has_perm("hscb.reassign_action", action)
    form = ActionUpdateForm(
        request.POST if request.method == "POST" else None,
        action=action,
        can_reassign=can_reassign,
        owner_choices=(
            selectors.owner_choices(action.group, include=action.owner) if can_reassign else None
        ),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.action_update(
                action=action,
                by=request.user,
                note=data["note"],
                status=data["status"],
                due_date=data.get("due_date"),
                owner=data.get("owner"),
                seen_status=data["seen_status"],
            )
        except services.ActionChanged as clash:
            form.add_error(None, str(clash))
            form.show_current_status()
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Your update has been saved.")
            return redirect(action)
    return render(request, "hscb/action_update.html", {"form": form, "action": action})


def _back(request: HttpRequest, default: str) -> str:
    """Where the person came from, if it is on this site; otherwise `default`."""
    for candidate in (request.POST.get("next"), request.headers.get("referer")):
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return candidate
    return default


@require_POST
def action_chase(request: HttpRequest, pk: int) -> HttpResponse:
    action = selectors.get_action_for_user(request.user, pk, perm="hscb.chase_action")
    owner = action.owner.get_full_name() or action.owner.email
    try:
        chased = services.action_chase(action=action, by=request.user)
    except ValidationError:
        status = action.get_status_display().lower()
        messages.info(request, f"“{action.title}” is {status}: there is nothing to chase.")
    else:
        if chased:
            messages.success(request, f"{owner} has been sent a reminder about “{action.title}”.")
        else:
            messages.info(
                request,
                f"“{action.title}” was already chased today: {owner} has had today's reminder.",
            )
    return redirect(_back(request, action.get_absolute_url()))
