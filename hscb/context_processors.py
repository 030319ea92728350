"""Template context for every page: the board's name, the navigation the user may use and how
long one-time links last."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from hscb.lib.tokens import lifetime_in_words
from hscb.lib.twofactor import next_step
from hscb.models import Group
from hscb.rules import Roles, roles_of


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool


def _dashboard_url(roles: Roles) -> str | None:
    """The board dashboard for the board chair and the secretariat; a group chair's own group
    dashboard (the first, by the board's order, for someone chairing several)."""
    if roles.is_board_chair or roles.is_secretariat:
        return reverse("board_dashboard")
    if roles.chaired_group_ids:
        slug = (
            Group.objects.filter(pk__in=roles.chaired_group_ids, is_active=True)
            .order_by("order")
            .values_list("slug", flat=True)
            .first()
        )
        if slug:
            return reverse("group_dashboard", kwargs={"slug": slug})
    return None


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    items: list[NavItem] = []
    signed_in = user is not None and user.is_authenticated
    # A session that still owes its second factor sees only the way to give it, or sign out.
    owes_second_factor = signed_in and (
        request.second_factor_step if hasattr(request, "second_factor_step") else next_step(request)
    )
    if signed_in and not owes_second_factor:
        path = request.path
        roles = roles_of(user)
        links = [
            ("Home", reverse("home")),
            ("Meetings", reverse("forward_plan")),
            ("Your actions", reverse("my_actions")),
            ("Business plan", reverse("plan_current")),
        ]
        dashboard = _dashboard_url(roles)
        if dashboard:
            links.append(("Dashboard", dashboard))
        # Apps' pages are found by permission and URL name: the core imports no app.
        if user.has_perm("subgroups.see_register"):
            links.append(("Issues register", reverse("subgroups:issue_list")))
        if user.has_perm("casereview.see_cases"):
            links.append(("Case review", reverse("casereview:case_list")))
        elif user.has_perm("casereview.see_decisions_waiting"):
            links.append(("Case decisions", reverse("casereview:decision_list")))
        if user.has_perm("cdop.see_deaths"):
            links.append(("Child deaths", reverse("cdop:death_list")))
        elif user.has_perm("cdop.see_statistics"):
            links.append(("Child death statistics", reverse("cdop:statistics")))
        if user.has_perm("casereview.add_notification"):
            links.append(("Notifications", reverse("casereview:notification_list")))
        if user.has_perm("casereview.see_lessons"):
            links.append(("Lessons learnt", reverse("casereview:lesson_list")))
        links.append(("Board structure", reverse("board_structure")))
        if roles.is_secretariat and user.is_staff:
            links.append(("Administration", reverse("admin:index")))
        links.append(("Your account", reverse("account")))
        # The current page belongs to the link with the longest address it starts with.
        matches = [url for _, url in links if path == url or (url != "/" and path.startswith(url))]
        current_url = max(matches, key=len, default=None)
        items = [NavItem(label=label, url=url, current=url == current_url) for label, url in links]
    return {
        "board_name": settings.BOARD_NAME,
        "nav_items": items,
        "show_sign_out": signed_in,
        # The warning before an idle session ends (static/js/timeout-warning.js).
        "session_timeout": (
            {
                "idle": settings.SESSION_IDLE_MINUTES * 60,
                "warning": settings.SESSION_IDLE_WARNING_MINUTES * 60,
            }
            if signed_in and not owes_second_factor
            else None
        ),
        "reset_link_lifetime": lifetime_in_words(settings.PASSWORD_RESET_TIMEOUT),
        "invitation_link_lifetime": lifetime_in_words(settings.INVITATION_TIMEOUT),
    }
