"""A serious incident notification that the Child Death Overview Panel made from a death it
reviewed belongs to the panel's work, not to the referring member's agency: that agency's staff
neither list nor open it. The Case Review subgroup works it like any other."""

from __future__ import annotations

import pytest

from casereview.models import Notification
from tests.casereview.factories import NotificationFactory
from tests.hscb.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_referrers_colleagues_do_not_see_a_panel_referral(
    client, board, cdop_member, case_review_member
):
    referral = NotificationFactory(
        notifier=cdop_member, first_name="Ottoline", last_name="Fairweather"
    )
    Notification.objects.filter(pk=referral.pk).update(referred_by_panel=True)
    referral.refresh_from_db()
    colleague = UserFactory(agency=cdop_member.agency)

    client.force_login(colleague)
    assert referral.reference not in client.get("/notifications/").content.decode()
    page = client.get(f"/notifications/{referral.pk}/")
    assert page.status_code == 404
    assert b"Fairweather" not in page.content
    assert not colleague.has_perm("casereview.see_own_notification", referral)

    own = NotificationFactory(notifier=UserFactory(agency=cdop_member.agency))
    assert colleague.has_perm("casereview.see_own_notification", own)  # the rule still holds

    client.force_login(case_review_member)
    assert b"Fairweather" in client.get(f"/case-review/cases/{referral.pk}/").content
