"""Template context for every page: the board's name, the navigation the user may use and how
long one-time links last."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from hscb.lib.tokens import lifetime_in_words
from hscb.rules import roles_of


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    items: list[NavItem] = []
    if user is not None and user.is_authenticated:
        path = request.path
        links = [("Home", reverse("home")), ("Board structure", reverse("board_structure"))]
        if roles_of(user).is_secretariat and user.is_staff:
            links.append(("Administration", reverse("admin:index")))
        links.append(("Your account", reverse("account")))
        for label, url in links:
            current = path == url if url == "/" else path.startswith(url)
            items.append(NavItem(label=label, url=url, current=current))
    return {
        "board_name": settings.BOARD_NAME,
        "nav_items": items,
        "reset_link_lifetime": lifetime_in_words(settings.PASSWORD_RESET_TIMEOUT),
        "invitation_link_lifetime": lifetime_in_words(settings.INVITATION_TIMEOUT),
    }
