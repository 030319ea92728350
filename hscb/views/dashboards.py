"""Chairs' dashboards: the board chair's across the board, and each group chair's for their
group. Read-only pages; the "Chase the owner" buttons post to `action_chase`."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from hscb.selectors import dashboards as selectors


@require_GET
def board_dashboard(request: HttpRequest) -> HttpResponse:
    dashboard = selectors.board_dashboard_for_user(request.user)
    return render(request, "hscb/dashboard_board.html", {"dashboard": dashboard})


@require_GET
def group_dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    dashboard = selectors.group_dashboard_for_user(request.user, slug)
    return render(
        request,
        "hscb/dashboard_group.html",
        {"dashboard": dashboard, "group": dashboard.group},
    )
