"""Notifying a child's death: the public form (no sign-in: rate-limited, and showing nothing
back but a reference), the signed-in form for agency staff, what each shows once a notification
is made, and an agency's own notifications (references and status; the child's details only
for the notifier and the agency's named safeguarding leads).

Who sees what (cdop/rules.py, and the access contract): the two public pages are for everyone;
the signed-in form and the agency's list are for anyone who works for a partner agency (403
otherwise); a notification's page is for its agency's staff (404 for anyone else). The
confirmation pages show only what was just sent in this browser session: the reference, kept in
the session and shown once.

The public form's limits, per client network (an IPv4 address, an IPv6 /64): every POST counts
against a flood limit of four times `CDOP_PUBLIC_FORM_LIMIT`, and only notifications accepted
count against `CDOP_PUBLIC_FORM_LIMIT` itself, in a window of `CDOP_PUBLIC_FORM_WINDOW_MINUTES`.
Over either, the form comes back as it was typed (429) with the reason and another way to tell
the panel, and nothing of it is read."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.utils import ErrorDict
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from hscb.lib import ratelimit
from hscb.lib.access import log_access

from ..forms.notify import NOT_TAKING, AccountDeathForm, PublicDeathForm
from ..models import NotifiedVia
from ..selectors import notify as selectors
from ..services import deaths as services
from ..services.jurisdiction import HomeAreaMissing, home_area

PUBLIC_SESSION_KEY = "cdop_public_notification"
ACCOUNT_SESSION_KEY = "cdop_account_notification"
# Two counts per client network (`ratelimit.client_key`): every POST against a generous flood
# limit, and the notifications accepted against `CDOP_PUBLIC_FORM_LIMIT`, so that a few
# mistyped forms do not lock out a hospital whose staff share one address.
FLOOD_SCOPE = "cdop-public-notify"
ACCEPTED_SCOPE = "cdop-public-notify-accepted"
FLOOD_FACTOR = 4


def _panel_contact() -> dict[str, str]:
    """How to reach this board's panel, for the public pages (empty parts when not set up)."""
    try:
        home = home_area()
    except HomeAreaMissing:
        return {"name": "", "email": "", "phone": ""}
    return {
        "name": home.cdop_name or f"{home.name} Child Death Overview Panel",
        "email": home.cdop_email,
        "phone": home.cdop_phone,
    }


def _window_words(minutes: int) -> str:
    if minutes == 60:
        return "hour"
    if minutes % 60 == 0:
        return f"{minutes // 60} hours"
    return "minute" if minutes == 1 else f"{minutes} minutes"


def too_many_message(*, window_minutes: int, wait_minutes: int, contact: dict[str, str]) -> str:
    """What someone over the limit is told: what happened, how long to wait, and another way to
    tell the panel now."""
    wait = f"{wait_minutes} minute{'' if wait_minutes == 1 else 's'}"
    name = contact["name"] or "Child Death Overview Panel"
    if contact["phone"]:
        instead = f"telephone the {name} on {contact['phone']} to tell them about the death"
    elif contact["email"]:
        instead = f"email the {name} at {contact['email']}"
    else:
        instead = (
            "telephone the safeguarding board's business unit to tell the Child Death Overview "
            "Panel about the death"
        )
    return (
        "Too many notifications have been sent from your network in the last "
        f"{_window_words(window_minutes)}. Nothing you typed has been sent. Wait {wait} and "
        f"try again, or {instead}"
    )


def _too_many(request: HttpRequest, form: PublicDeathForm, retry_after: int) -> HttpResponse:
    """The form again, as it was typed, with the reason above it: nothing of it is read or
    checked (a flood costs no more than the page), and nothing is saved."""
    contact = _panel_contact()
    message = too_many_message(
        window_minutes=settings.CDOP_PUBLIC_FORM_WINDOW_MINUTES,
        wait_minutes=max(1, -(-retry_after // 60)),
        contact=contact,
    )
    # Marked as checked with no errors, so that showing the form does not check it; the one
    # error is then the limit's.
    form._errors = ErrorDict()
    form.cleaned_data = {}
    form.add_error(None, message)
    response = render(
        request,
        "cdop/notify/form.html",
        {"form": form, "public": True, "contact": contact},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


# The public form -----------------------------------------------------------------------------


def _over_the_limit(client: str) -> int | None:
    """Count this POST against the flood limit; None while the client may send, else the
    seconds until it may send again (over the flood limit, or the accepted limit reached)."""
    window = settings.CDOP_PUBLIC_FORM_WINDOW_MINUTES * 60
    limit = settings.CDOP_PUBLIC_FORM_LIMIT
    flood = ratelimit.hit(FLOOD_SCOPE, client, limit=FLOOD_FACTOR * limit, window_seconds=window)
    if not flood.allowed:
        return flood.retry_after
    if ratelimit.count(ACCEPTED_SCOPE, client, window_seconds=window) >= limit:
        return ratelimit.seconds_left(window)
    return None


def _count_accepted(client: str) -> None:
    ratelimit.hit(
        ACCEPTED_SCOPE,
        client,
        limit=settings.CDOP_PUBLIC_FORM_LIMIT,
        window_seconds=settings.CDOP_PUBLIC_FORM_WINDOW_MINUTES * 60,
    )


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def public_notify(request: HttpRequest) -> HttpResponse:
    posted = request.method == "POST"
    form = PublicDeathForm(request.POST if posted else None, areas=selectors.area_choices())
    if not posted:
        return render(
            request,
            "cdop/notify/form.html",
            {"form": form, "public": True, "contact": _panel_contact()},
        )
    client = ratelimit.client_key(request.META.get("REMOTE_ADDR"))
    retry_after = _over_the_limit(client)
    if retry_after is not None:
        return _too_many(request, form, retry_after)
    if form.is_valid():
        try:
            death = services.death_notify(via=NotifiedVia.PUBLIC_FORM, data=form.service_data())
        except ValidationError as error:
            form.add_service_errors(error)
        except HomeAreaMissing:
            form.add_error(None, NOT_TAKING)
        else:
            _count_accepted(client)
            # The same confirmation for every notification accepted: whether the child was
            # notified before is for the panel to see, never the person at this form.
            request.session[PUBLIC_SESSION_KEY] = death.reference
            return redirect("cdop:public_notify_sent")
    return render(
        request,
        "cdop/notify/form.html",
        {"form": form, "public": True, "contact": _panel_contact()},
    )


@login_not_required
@never_cache
@require_GET
def public_notify_sent(request: HttpRequest) -> HttpResponse:
    """The reference of the notification just made in this browser session, shown once."""
    reference = request.session.pop(PUBLIC_SESSION_KEY, None)
    if not isinstance(reference, str) or not reference:
        return redirect("cdop:public_notify")
    return render(
        request,
        "cdop/notify/sent.html",
        {"reference": reference, "public": True, "contact": _panel_contact()},
    )


# The signed-in form --------------------------------------------------------------------------


def _may_notify(request: HttpRequest) -> None:
    if not request.user.has_perm("cdop.notify_death"):
        raise PermissionDenied(
            "Notifying a death here is for staff of the board's partner agencies."
        )


@never_cache
@require_http_methods(["GET", "POST"])
def death_notify(request: HttpRequest) -> HttpResponse:
    _may_notify(request)
    form = AccountDeathForm(
        request.POST if request.method == "POST" else None,
        user=request.user,
        areas=selectors.area_choices(),
    )
    if request.method == "POST" and form.is_valid():
        try:
            death = services.death_notify(
                via=NotifiedVia.ACCOUNT, by=request.user, data=form.service_data()
            )
        except ValidationError as error:
            form.add_service_errors(error)
        except HomeAreaMissing:
            form.add_error(None, NOT_TAKING)
        else:
            request.session[ACCOUNT_SESSION_KEY] = death.pk
            return redirect("cdop:death_notify_sent")
    return render(
        request,
        "cdop/notify/form.html",
        {"form": form, "public": False, "contact": _panel_contact()},
    )


@never_cache
@require_GET
def death_notify_sent(request: HttpRequest) -> HttpResponse:
    """The notification the user has just made, shown once: its reference, and whose death it
    is, so that someone notifying several can tell them apart (a view of the record: logged)."""
    death = selectors.notified_death_for(
        request.user, request.session.pop(ACCOUNT_SESSION_KEY, None)
    )
    if death is None:
        return redirect("cdop:death_notify")
    log_access(death)
    return render(request, "cdop/notify/sent.html", {"death": death, "public": False})


@never_cache
@require_GET
def own_notification_list(request: HttpRequest) -> HttpResponse:
    _may_notify(request)
    page = selectors.own_notifications(request.user, page_number=request.GET.get("page"))
    return render(request, "cdop/notify/list.html", {"page": page, "agency": request.user.agency})


@never_cache
@require_GET
def own_notification_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One of the agency's notifications: its reference, dates and status, and the child's
    details for its notifier and the agency's named safeguarding leads (a logged view)."""
    found = selectors.get_own_notification_for_user(request.user, pk)
    if found.child is not None:
        log_access(found.child)
    return render(
        request,
        "cdop/notify/detail.html",
        {"death": found.death, "child": found.child, "agency": request.user.agency},
    )
