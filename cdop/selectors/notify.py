"""Reads for the notification pages: the choices the forms offer, the death just notified (for
its notifier's confirmation), and an agency's own notifications, which show the reference, when
it was notified and the status the agency is told: never the panel's findings, and the child's
details only to the notifier and the agency's named safeguarding leads
(`cdop.see_death_notification_child`). Lists run a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404

from hscb.models import Area, User

from ..models import ChildDeath, NotifiedVia

PER_PAGE = 25
# The largest primary key a database holds: a bigger number is no record (SQLite would raise
# OverflowError for it, a 500).
PK_MAX = 2**63 - 1
# What an agency's list reads of each death: nothing that names or describes the child.
LIST_COLUMNS = ("pk", "reference", "notified_at", "status")
# What a notification's page reads for anyone at the agency: who notified it (the rules ask),
# and nothing that names or describes the child.
PAGE_COLUMNS = (*LIST_COLUMNS, "via", "notifier", "notifier_agency", "notifier_name")


def area_choices() -> QuerySet[Area]:
    """Every area, the board's home area first."""
    return Area.objects.order_by("-is_home", "name")


def notified_death_for(user: User, pk: object) -> ChildDeath | None:
    """The death `user` has just notified (the signed-in confirmation page), or None."""
    if not isinstance(pk, int) or isinstance(pk, bool) or not 0 < pk <= PK_MAX:
        return None
    return ChildDeath.objects.filter(pk=pk, notifier=user).first()


def own_notifications(user: User, *, page_number: str | int | None = None) -> Page:
    """The deaths notified by the user's agency's signed-in staff, newest first, a page at a
    time, with nothing read that would name the child. A public notification that names the
    agency is not listed: anyone can type an agency's name there."""
    if not user.has_perm("cdop.notify_death"):
        raise PermissionDenied("Notifications are for staff of the board's partner agencies.")
    deaths = (
        ChildDeath.objects.filter(notifier_agency_id=user.agency_id, via=NotifiedVia.ACCOUNT)
        .only(*LIST_COLUMNS)
        .order_by("-notified_at", "-pk")
    )
    return Paginator(deaths, PER_PAGE).get_page(page_number)


@dataclass
class OwnNotification:
    """An agency's notification: `death` holds its reference, dates and status (nothing about
    the child); `child` is the whole record, for those the child's details are for, else None."""

    death: ChildDeath
    child: ChildDeath | None


def get_own_notification_for_user(user: User, pk: int) -> OwnNotification:
    """One of the deaths the user's agency's signed-in staff notified (404 for anything else),
    with the child's details read only for its notifier and the agency's named safeguarding
    leads."""
    death = None
    if 0 < pk <= PK_MAX:
        death = ChildDeath.objects.filter(pk=pk).only(*PAGE_COLUMNS).first()
    if death is None or not user.has_perm("cdop.see_own_death_notification", death):
        raise Http404("No such notification.")
    if not user.has_perm("cdop.see_death_notification_child", death):
        return OwnNotification(death=death, child=None)
    child = ChildDeath.objects.select_related(
        "place_area", "residence_area", "looked_after_by"
    ).get(pk=death.pk)
    return OwnNotification(death=death, child=child)
