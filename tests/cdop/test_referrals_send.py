"""Emailing an outbound referral when the coordinator asks: a death notified through the public
form is referred out but not emailed on its own (anyone can type anything there, and this
system must not be a way to send another panel whatever a stranger wrote), so the panel checks
the notification and then emails the other area's panel from the referral or the case. The same
button sends a referral whose area had no panel email address when the death was notified, once
the business unit has added it. Refused once emailed, or while the area has no address; for the
panel team only."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.html import escape

from cdop.models import Direction, NotifiedVia, Referral
from cdop.services import deaths, referrals
from hscb.models import Area
from tests.cdop.factories import ChildDeathFactory, ReferralFactory, other_area
from tests.cdop.test_notify_services import public_data

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2027, 3, 10)  # a Wednesday
OTHERS = ["board_chair", "group_chair", "member", "agency_staff", "case_review_member", "outsider"]
BUTTON = "Check the notification, then email Bedford Borough's panel"


@pytest.fixture(autouse=True)
def wednesday():
    with time_machine.travel(
        timezone.make_aware(datetime.datetime.combine(TODAY, datetime.time(10))), tick=False
    ):
        yield


def publicly_notified(area: Area | None = None) -> Referral:
    """A public notification of a child who lived in `area` (Bedford Borough) and died here."""
    deaths.death_notify(
        via=NotifiedVia.PUBLIC_FORM,
        data=public_data(residence_area=area or other_area("Bedford Borough")),
    )
    return Referral.objects.get()


def emails_to(address: str) -> list:
    return [m for m in mail.outbox if m.to == [address]]


def send_url(referral: Referral) -> str:
    return f"/cdop/referrals/{referral.pk}/send/"


# The public form does not email another panel on its own --------------------------------------


def test_a_public_notification_is_referred_out_without_emailing_the_other_panel(
    board, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        referral = publicly_notified()
    assert referral.direction == Direction.OUTBOUND
    assert referral.other_area == other_area("Bedford Borough")
    assert referral.emailed_at is None
    assert emails_to("cdop@bedford-borough.example") == []


def test_a_signed_in_notification_still_emails_the_other_panel(
    agency_staff, django_capture_on_commit_callbacks
):
    from tests.cdop.test_notify_services import notify

    with django_capture_on_commit_callbacks(execute=True):
        notify(agency_staff, residence_area=other_area("Bedford Borough"))
    assert Referral.objects.get().emailed_at is not None
    assert len(emails_to("cdop@bedford-borough.example")) == 1


# The service ---------------------------------------------------------------------------------


def test_the_coordinator_emails_a_checked_public_referral(
    board, cdop_member, django_capture_on_commit_callbacks
):
    referral = publicly_notified()
    with django_capture_on_commit_callbacks(execute=True):
        referrals.referral_send(referral=referral, by=cdop_member)
    referral.refresh_from_db()
    assert referral.emailed_at is not None
    (email,) = emails_to("cdop@bedford-borough.example")
    assert referral.death.reference in email.body
    assert "Dr Priya Shah" in email.body


def test_a_referral_already_emailed_is_not_emailed_again(
    board, cdop_member, django_capture_on_commit_callbacks
):
    referral = publicly_notified()
    with django_capture_on_commit_callbacks(execute=True):
        referrals.referral_send(referral=referral, by=cdop_member)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ValidationError) as error,
    ):
        referrals.referral_send(referral=referral, by=cdop_member)
    assert "already emailed to Bedford Borough's panel on 10 March 2027" in " ".join(
        error.value.messages
    )
    assert callbacks == []
    assert len(emails_to("cdop@bedford-borough.example")) == 1


def test_an_area_without_a_panel_email_is_refused_until_one_is_added(
    board, cdop_member, django_capture_on_commit_callbacks
):
    luton = Area.objects.get(name="Luton")
    assert not luton.cdop_email
    referral = publicly_notified(luton)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ValidationError) as error,
    ):
        referrals.referral_send(referral=referral, by=cdop_member)
    assert "Luton's panel has no email address" in " ".join(error.value.messages)
    assert callbacks == []
    # The business unit adds the address: the referral can now be emailed from here.
    luton.cdop_email = "cdop@luton.example"
    luton.save()
    with django_capture_on_commit_callbacks(execute=True):
        referrals.referral_send(referral=referral, by=cdop_member)
    assert len(emails_to("cdop@luton.example")) == 1


def test_an_inbound_referral_is_not_emailed(board, cdop_member):
    referral = ReferralFactory(
        direction=Direction.INBOUND,
        death=ChildDeathFactory(place_area=other_area("Luton")),
        other_area=other_area("Luton"),
    )
    with pytest.raises(ValidationError, match="Only a referral to another area's panel"):
        referrals.referral_send(referral=referral, by=cdop_member)


def test_only_the_panel_team_emails_a_referral(board, member, django_capture_on_commit_callbacks):
    referral = publicly_notified()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(PermissionDenied),
    ):
        referrals.referral_send(referral=referral, by=member)
    assert callbacks == []


# The pages -----------------------------------------------------------------------------------


def test_the_referral_page_and_the_case_offer_the_button_until_it_is_emailed(
    client, board, cdop_member, django_capture_on_commit_callbacks
):
    referral = publicly_notified()
    client.force_login(cdop_member)
    death_url = referral.death.get_absolute_url()
    for page in (referral.get_absolute_url(), death_url):
        text = client.get(page).content.decode()
        assert BUTTON in text, page
        assert f'action="{send_url(referral)}"' in text
        assert "public form" in text

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(send_url(referral), {"back": "death"})
    assert response.status_code == 302
    assert response["Location"] == death_url
    assert len(emails_to("cdop@bedford-borough.example")) == 1
    text = client.get(death_url).content.decode()
    assert (
        escape("is being emailed to Bedford Borough's panel (cdop@bedford-borough.example)") in text
    )
    assert BUTTON not in text
    assert BUTTON not in client.get(referral.get_absolute_url()).content.decode()


def test_emailing_again_through_the_page_says_why_not(
    client, board, secretariat, django_capture_on_commit_callbacks
):
    referral = publicly_notified()
    client.force_login(secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(send_url(referral))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(send_url(referral), follow=True)
    assert response.redirect_chain[-1][0] == referral.get_absolute_url()
    assert "already emailed" in response.content.decode()
    assert len(emails_to("cdop@bedford-borough.example")) == 1


def test_an_area_without_an_email_says_how_to_add_one_instead_of_the_button(
    client, board, cdop_member
):
    referral = publicly_notified(Area.objects.get(name="Luton"))
    client.force_login(cdop_member)
    text = client.get(referral.get_absolute_url()).content.decode()
    assert escape("Luton's panel has no email address") in text
    assert f'action="{send_url(referral)}"' not in text
    response = client.post(send_url(referral), follow=True)
    assert escape("Luton's panel has no email address") in response.content.decode()


def test_sending_is_post_only(client, board, cdop_member):
    referral = publicly_notified()
    client.force_login(cdop_member)
    assert client.get(send_url(referral)).status_code == 405
    referral.refresh_from_db()
    assert referral.emailed_at is None


@pytest.mark.parametrize("role", OTHERS)
def test_sending_is_not_found_outside_the_panel_team(
    client, request, role, django_capture_on_commit_callbacks
):
    user = request.getfixturevalue(role)
    referral = publicly_notified()
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(send_url(referral)).status_code == 404
        assert client.get(send_url(referral)).status_code == 404
    referral.refresh_from_db()
    assert referral.emailed_at is None
    assert emails_to("cdop@bedford-borough.example") == []


def test_a_referral_that_does_not_exist_is_not_found(client, board, cdop_member):
    client.force_login(cdop_member)
    assert client.post("/cdop/referrals/999999/send/").status_code == 404
