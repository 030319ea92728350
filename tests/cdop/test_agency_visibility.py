"""Who at the notifying agency sees the child on a child death notification (`/child-deaths/<pk>/`):
its notifier and the agency's named safeguarding leads see the child's details (a logged view);
everyone else at the agency sees its reference, dates and status; another agency's staff, its
safeguarding leads included, find nothing (404), and so does everyone for a death notified
through the public form, which anyone can say comes from any agency."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.utils import timezone
from django.utils.html import escape

from cdop.models import NotifiedVia
from tests.cdop.factories import ChildDeathFactory
from tests.hscb.factories import UserFactory

pytestmark = pytest.mark.django_db

FIRST, LAST = "Wilhelmina", "Thistlewood"
CIRCUMSTANCES = "Stopped breathing during a febrile seizure at the grandparents' house."
NHS = "9434765919"


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
def death(people):
    return ChildDeathFactory(
        notifier=people["notifier"],
        first_name=FIRST,
        last_name=LAST,
        nhs_number=NHS,
        circumstances=CIRCUMSTANCES,
        place_detail="Lister Hospital",
    )


def page(client, user, url):
    client.force_login(user)
    return client.get(url)


def accessed(death, user) -> bool:
    return LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS,
        content_type__model="childdeath",
        object_id=death.pk,
        actor=user,
    ).exists()


@pytest.mark.parametrize("who", ["notifier", "lead"])
def test_the_notifier_and_the_agencys_safeguarding_leads_see_the_child_and_it_is_logged(
    client, people, death, who
):
    user = people[who]
    response = page(client, user, f"/child-deaths/{death.pk}/")
    text = response.content.decode()
    assert response.status_code == 200
    assert death.reference in text and "Received" in text
    assert f"{FIRST} {LAST}" in text
    assert NHS in text
    assert escape(CIRCUMSTANCES) in text
    assert "Lister Hospital" in text
    assert death.date_of_birth.strftime("%-d %B %Y") in text
    assert accessed(death, user)


def test_everyone_else_at_the_agency_sees_the_reference_dates_and_status_only(
    client, people, death
):
    colleague = people["colleague"]
    response = page(client, colleague, f"/child-deaths/{death.pk}/")
    text = response.content.decode()
    assert response.status_code == 200
    assert death.reference in text
    assert "Received" in text and "govuk-tag--blue" in text
    assert timezone.localtime(death.notified_at).strftime("%-d %B %Y") in text
    for detail in (FIRST, LAST, NHS, escape(CIRCUMSTANCES), "Lister Hospital"):
        assert detail not in text
    assert death.date_of_birth.strftime("%-d %B %Y") not in text
    assert "named safeguarding leads" in text
    assert not accessed(death, colleague)
    # The list links each reference to its page, naming no child.
    listing = page(client, colleague, "/child-deaths/").content.decode()
    assert f'href="/child-deaths/{death.pk}/"' in listing and LAST not in listing


def test_a_safeguarding_lead_of_another_agency_finds_nothing(client, people, death):
    response = page(client, people["other lead"], f"/child-deaths/{death.pk}/")
    assert response.status_code == 404
    assert LAST not in response.content.decode()
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


def test_a_public_notification_naming_the_agency_is_not_the_agencys(client, people):
    public = ChildDeathFactory(
        via=NotifiedVia.PUBLIC_FORM,
        notifier=None,
        notifier_agency=people["lead"].agency,
        last_name=LAST,
    )
    for who in ("lead", "colleague"):
        assert page(client, people[who], f"/child-deaths/{public.pk}/").status_code == 404


@pytest.mark.parametrize("pk", ["999999", "99999999999999999999"])
def test_no_such_notification_is_not_found(client, people, pk):
    assert page(client, people["lead"], f"/child-deaths/{pk}/").status_code == 404


def test_the_rule_needs_the_lead_flag_and_the_same_agency(people, death):
    see_child = "cdop.see_death_notification_child"
    assert people["notifier"].has_perm(see_child, death)
    assert people["lead"].has_perm(see_child, death)
    assert not people["colleague"].has_perm(see_child, death)
    assert not people["other lead"].has_perm(see_child, death)
    assert people["colleague"].has_perm("cdop.see_own_death_notification", death)
    assert not people["other lead"].has_perm("cdop.see_own_death_notification", death)
