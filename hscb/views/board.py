"""Pages of the board core: home, the board's structure, each group, the user's account."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from hscb.forms.board import GroupRemitForm
from hscb.lib.twofactor import second_factor_summary
from hscb.rules import roles_of
from hscb.selectors import board as selectors
from hscb.selectors.people import people_matching, person_label
from hscb.services import board as services


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "hscb/home.html", {"home": selectors.home_for_user(request.user)})


@require_GET
def board_structure(request: HttpRequest) -> HttpResponse:
    groups = list(selectors.groups_for_user(request.user))
    return render(request, "hscb/board_structure.html", {"groups": groups})


@require_GET
def group_detail(request: HttpRequest, slug: str) -> HttpResponse:
    group = selectors.get_group_for_user(request.user, slug)
    return render(
        request,
        "hscb/group_detail.html",
        {
            "group": group,
            "members": selectors.members_page(group, request.GET.get("page")),
            "show_contacts": request.user.has_perm("hscb.see_group_contacts", group),
            "can_edit": request.user.has_perm("hscb.edit_group_remit", group),
        },
    )


@require_http_methods(["GET", "POST"])
def group_edit(request: HttpRequest, slug: str) -> HttpResponse:
    group = selectors.get_group_for_user(request.user, slug, for_change=True)
    form = GroupRemitForm(request.POST if request.method == "POST" else None, instance=group)
    if request.method == "POST" and form.is_valid():
        services.group_remit_update(group=group, remit=form.cleaned_data["remit"])
        messages.success(request, f"The remit of the {group.name} has been saved.")
        return redirect(group)
    return render(request, "hscb/group_form.html", {"group": group, "form": form})


@require_GET
def people_search(request: HttpRequest) -> JsonResponse:
    """Open accounts whose names or emails start with the words in `q`, for the autocomplete of
    a field that chooses a person: `{"results": [{"value": "12", "label": "Name, Agency"}]}`."""
    if not request.user.has_perm("hscb.search_people"):
        raise PermissionDenied("Only the board's members and secretariat can search for people.")
    # Only the secretariat, who run the accounts, find people by their email address.
    people = people_matching(
        request.GET.get("q", ""), by_email=roles_of(request.user).is_secretariat
    )
    results = [{"value": str(u.pk), "label": person_label(u)} for u in people]
    response = JsonResponse({"results": results})
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def account(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "hscb/account.html",
        {
            "memberships": selectors.memberships_of_user(request.user),
            "roles": roles_of(request.user),
            "sign_in": second_factor_summary(request.user),
        },
    )


@login_not_required
@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and docker-compose: the app is up and its database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return JsonResponse({"status": "ok"})


@login_not_required
def admin_login(request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
    """The admin signs people in through the service's own sign-in page, with its lockout and
    error summary. Someone signed in without access is told so, not asked to sign in again."""
    next_url = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index")
    if not request.user.is_authenticated:
        return redirect_to_login(next_url, login_url=reverse("login"))
    if request.user.is_active and request.user.is_staff:
        return redirect("admin:index")
    raise PermissionDenied("The administration pages are for the board's business unit.")


@login_not_required
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)
