"""Who at the notifying agency sees the child on a serious-incident notification: its notifier and
the agency's named safeguarding leads see the child's details and the documents (a logged view);
everyone else at the agency sees its reference, dates and status; another agency's staff, its
safeguarding leads included, find nothing (404, as for any record they may not see)."""

from __future__ import annotations

import re

import pytest
from auditlog.models import LogEntry
from django.utils.html import escape

from casereview.models import Notification
from tests.casereview.factories import AttachmentFactory, DraftFactory, NotificationFactory
from tests.hscb.factories import UserFactory

pytestmark = pytest.mark.django_db

FIRST, LAST = "Ottoline", "Brackenbury"
HAPPENED = "Found with a fractured wrist at the childminder's; the mother could not explain it."
DOCUMENT = "brackenbury-strategy-minutes.pdf"


@pytest.fixture
def people(board):
    notifier = UserFactory()
    return {
        "notifier": notifier,
        "lead": UserFactory(agency=notifier.agency, is_safeguarding_lead=True),
        "colleague": UserFactory(agency=notifier.agency),
        "other lead": UserFactory(is_safeguarding_lead=True),
    }


@pytest.fixture
def notification(people) -> Notification:
    return NotificationFactory(
        notifier=people["notifier"],
        first_name=FIRST,
        last_name=LAST,
        other_names="Lina",
        nhs_number="9434765919",
        incident_description=HAPPENED,
    )


@pytest.fixture
def document(notification, people):
    return AttachmentFactory(
        notification=notification,
        original_name=DOCUMENT,
        file__filename=DOCUMENT,
        uploaded_by=people["notifier"],
    )


def page(client, user, url):
    client.force_login(user)
    return client.get(url)


def accessed(notification, user) -> bool:
    return LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS,
        content_type__model="notification",
        object_id=notification.pk,
        actor=user,
    ).exists()


@pytest.mark.parametrize("who", ["notifier", "lead"])
def test_the_notifier_and_the_agencys_safeguarding_leads_see_the_child_and_it_is_logged(
    client, people, notification, document, who
):
    user = people[who]
    response = page(client, user, f"/notifications/{notification.pk}/")
    text = response.content.decode()
    assert response.status_code == 200
    assert notification.reference in text and "Received" in text
    assert FIRST in text and LAST in text and "Lina" in text
    assert "943 476 5919" in text
    assert escape(HAPPENED) in text
    assert f"/case-review/documents/{document.pk}/" in text and DOCUMENT in text
    assert "shown only to the person who sent the notification" not in text
    assert accessed(notification, user)


def test_everyone_else_at_the_agency_sees_the_reference_dates_and_status_only(
    client, people, notification, document
):
    colleague = people["colleague"]
    response = page(client, colleague, f"/notifications/{notification.pk}/")
    text = response.content.decode()
    assert response.status_code == 200
    assert notification.reference in text
    assert "Received" in text and "govuk-tag--blue" in text
    assert "Submitted" in text and escape(people["notifier"].get_full_name()) in text
    for detail in (FIRST, LAST, "Lina", "943 476 5919", "9434765919", escape(HAPPENED), DOCUMENT):
        assert detail not in text
    assert notification.date_of_birth.strftime("%-d %B %Y") not in text
    assert f"/case-review/documents/{document.pk}/" not in text
    assert "your agency's named safeguarding leads" in text
    # Nothing of the child was seen: no access-log row.
    assert not accessed(notification, colleague)
    # The list and the confirmation page are the same for everyone at the agency.
    listing = page(client, colleague, "/notifications/").content.decode()
    assert notification.reference in listing and LAST not in listing
    submitted = page(client, colleague, f"/notifications/{notification.pk}/submitted/")
    assert submitted.status_code == 200 and LAST not in submitted.content.decode()


@pytest.mark.parametrize("path", ["", "submitted/"], ids=["page", "confirmation"])
def test_a_safeguarding_lead_of_another_agency_finds_nothing(
    client, people, notification, document, path
):
    response = page(client, people["other lead"], f"/notifications/{notification.pk}/{path}")
    assert response.status_code == 404
    assert LAST not in response.content.decode()
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


@pytest.mark.parametrize(
    ("who", "status"), [("notifier", 200), ("lead", 200), ("colleague", 404), ("other lead", 404)]
)
def test_the_documents_follow_the_childs_details(client, people, document, who, status):
    user = people[who]
    response = page(client, user, f"/case-review/documents/{document.pk}/")
    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content).startswith(b"%PDF")
        assert DOCUMENT in response["Content-Disposition"]
    assert accessed(document.notification, user) is (status == 200)


def test_a_lead_does_not_see_a_colleagues_draft(client, people):
    draft = DraftFactory(notifier=people["colleague"], last_name=LAST)
    document = AttachmentFactory(notification=draft, uploaded_by=people["colleague"])
    lead = people["lead"]
    for url in (
        f"/notifications/{draft.pk}/",
        f"/notifications/{draft.pk}/check/",
        f"/notifications/{draft.pk}/step/child/",
        f"/case-review/documents/{document.pk}/",
    ):
        assert page(client, lead, url).status_code == 404, url


def test_the_rule_needs_the_lead_flag_and_the_same_agency(people, notification):
    see_child = "casereview.see_notification_child"
    assert people["notifier"].has_perm(see_child, notification)
    assert people["lead"].has_perm(see_child, notification)
    assert not people["colleague"].has_perm(see_child, notification)
    assert not people["other lead"].has_perm(see_child, notification)
    # The colleague sees the notification itself; the other agency's lead does not.
    assert people["colleague"].has_perm("casereview.see_own_notification", notification)
    assert not people["other lead"].has_perm("casereview.see_own_notification", notification)
    # A case the child death panel referred is not the referrer's agency's to see.
    notification.referred_by_panel = True
    assert not people["lead"].has_perm(see_child, notification)


def test_the_secretariat_names_the_leads_in_the_people_admin(client, secretariat, people):
    client.force_login(secretariat)
    text = client.get(f"/admin/hscb/user/{people['lead'].pk}/change/").content.decode()
    assert re.search(r'name="is_safeguarding_lead"[^>]*checked', text)
    assert "Child details on the agency&#x27;s notifications" in text
    assert "A named safeguarding lead sees the child's details" in text
    listing = client.get("/admin/hscb/user/", {"is_safeguarding_lead__exact": "1"})
    assert listing.status_code == 200
    names = listing.content.decode()
    assert people["lead"].email in names and people["other lead"].email in names
    assert people["colleague"].email not in names
