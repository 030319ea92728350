"""Emails about the register."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import get_connection
from django.utils import timezone

from hscb.lib.email import send_templated_email
from hscb.models import GroupFunction, Membership, MembershipRole, User
from hscb.rules import SECRETARIAT_GROUP
from subgroups.models import Escalation


def escalation_recipients() -> list[User]:
    """The Strategic Board's chair and the business unit's staff, with open accounts."""
    chairs = Membership.objects.current().filter(
        group__function=GroupFunction.STRATEGIC_BOARD, role=MembershipRole.CHAIR
    )
    people = User.objects.filter(is_active=True).filter(
        pk__in=chairs.values("user_id")
    ) | User.objects.filter(is_active=True, is_staff=True, groups__name=SECRETARIAT_GROUP)
    return list(people.distinct().order_by("last_name", "first_name"))


def escalation_proposed_send(*, escalation_pk: int) -> int:
    """Email each recipient once about a new escalation. The escalation is claimed with a
    conditional update first, and given back if sending fails, so a retry sends it."""
    claimed_at = timezone.now()
    claimed = Escalation.objects.filter(pk=escalation_pk, notified_at=None).update(
        notified_at=claimed_at
    )
    if not claimed:
        return 0
    escalation = Escalation.objects.select_related(
        "issue", "issue__rating", "proposed_by", "meeting"
    ).get(pk=escalation_pk)
    recipients = escalation_recipients()
    try:
        with get_connection() as connection:
            for person in recipients:
                send_templated_email(
                    "escalation_proposed",
                    to=[person.email],
                    context={
                        "person": person,
                        "escalation": escalation,
                        "issue": escalation.issue,
                        "link": settings.SITE_URL + escalation.get_absolute_url(),
                    },
                    connection=connection,
                )
    except Exception:
        Escalation.objects.filter(pk=escalation_pk, notified_at=claimed_at).update(notified_at=None)
        raise
    return len(recipients)
