"""The panel's list of cases and the case page: references only on the list, the filters, the
whole case on its page, the access log, who may see them, possible duplicates dismissed, and
query counts that do not grow with the data."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from cdop.models import (
    AgeBand,
    ChildDeath,
    DeathDuplicate,
    DeathStatus,
    Direction,
    Expectation,
    MatchReason,
    NotifiedVia,
    ReferralStatus,
    ReviewingPanel,
)
from hscb.models import GroupFunction
from tests.cdop.factories import (
    AgencyInformationFactory,
    ChildDeathFactory,
    ReferralFactory,
    home_area,
    other_area,
)
from tests.hscb.factories import AgencyFactory, MeetingFactory

pytestmark = pytest.mark.django_db

LIST = "/cdop/"
TODAY = datetime.date(2027, 3, 10)  # a Wednesday
OTHERS = ["board_chair", "group_chair", "member", "agency_staff", "case_review_member", "outsider"]


@pytest.fixture(autouse=True)
def wednesday():
    with time_machine.travel(
        timezone.make_aware(datetime.datetime.combine(TODAY, datetime.time(10))), tick=False
    ):
        yield


def case_url(death) -> str:
    return f"/cdop/deaths/{death.pk}/"


def accessed(death, user) -> bool:
    return LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS,
        content_type=ContentType.objects.get_for_model(ChildDeath),
        object_pk=str(death.pk),
        actor=user,
    ).exists()


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


# The list ------------------------------------------------------------------------------------


def test_the_list_shows_each_case_by_reference_and_never_the_child(client, cdop_member):
    death = ChildDeathFactory(
        first_name="Aoife", last_name="O'Reilly", nhs_number="9434765919", died_on=TODAY
    )
    client.force_login(cdop_member)
    text = client.get(LIST).content.decode()
    assert death.reference in text
    assert "10 March 2027" in text
    assert "5 to 9 years" in text
    assert "Unexpected" in text
    assert "Notified</strong>" in text
    assert "Ours" in text
    for detail in ("Aoife", escape("O'Reilly"), "O'Reilly", "9434765919"):
        assert detail not in text


def test_the_list_tags_open_referrals_duplicates_and_the_other_areas_panel(client, secretariat):
    referred = ReferralFactory().death
    ChildDeath.objects.filter(pk=referred.pk).update(
        reviewing_area=other_area(), status=DeathStatus.ELSEWHERE
    )
    done = ReferralFactory(status=ReferralStatus.OUTCOME_REPORTED).death
    first, second = ChildDeathFactory(), ChildDeathFactory()
    DeathDuplicate.objects.create(death=second, match=first, reason=MatchReason.NHS_NUMBER)
    dismissed = DeathDuplicate.objects.create(
        death=done, match=referred, reason=MatchReason.NAME_AND_DOB, dismissed_at=timezone.now()
    )
    client.force_login(secretariat)
    text = client.get(LIST).content.decode()
    assert text.count("Open referral</strong>") == 1
    assert text.count("Possible duplicate</strong>") == 2
    assert "Bedford Borough's panel" in text
    assert "Reviewed by another panel" in text
    assert dismissed.dismissed_at is not None


def test_the_list_filters_by_the_cases_facts_and_searches_references_only(client, cdop_member):
    older = ChildDeathFactory(
        died_on=datetime.date(2026, 6, 1),
        date_of_birth=datetime.date(2026, 5, 20),
        last_name="Neonate",
    )
    expected = ChildDeathFactory(
        expectation=Expectation.EXPECTED, status=DeathStatus.GATHERING, last_name="Expected"
    )
    elsewhere = ChildDeathFactory(reviewing_area=other_area(), last_name="Elsewhere")
    client.force_login(cdop_member)

    def refs(query: str) -> set[str]:
        text = client.get(f"{LIST}?{query}").content.decode()
        return {d.reference for d in (older, expected, elsewhere) if d.reference in text}

    everyone = {older.reference, expected.reference, elsewhere.reference}
    assert refs("") == everyone
    assert refs("status=gathering") == {expected.reference}
    assert refs("expectation=expected") == {expected.reference}
    assert refs(f"band={AgeBand.NEONATAL}") == {older.reference}
    assert refs("neonatal=yes") == {older.reference}
    assert refs("neonatal=no") == {expected.reference, elsewhere.reference}
    assert refs("year=2026") == {older.reference}
    assert refs("reviewing=elsewhere") == {elsewhere.reference}
    assert refs("reviewing=ours") == {older.reference, expected.reference}
    assert refs(f"q={expected.reference}") == {expected.reference}
    # Only references are searched: a child's name would sit in the address.
    assert refs("q=Neonate") == set()


@pytest.mark.parametrize(
    "query", ["status=nonsense", "band=old", "year=1066", "neonatal=maybe", "reviewing=x"]
)
def test_the_list_answers_unreadable_filters_with_an_error_summary(client, secretariat, query):
    ChildDeathFactory()
    client.force_login(secretariat)
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()


def test_the_list_pages_25_cases_at_a_time(client, secretariat):
    ChildDeathFactory.create_batch(27)
    client.force_login(secretariat)
    first = client.get(LIST).content.decode()
    assert "27 cases" in first
    assert "page 1 of 2" in first
    assert 'aria-label="Pages of cases"' in first
    assert client.get(f"{LIST}?page=2").status_code == 200


def test_a_later_page_lists_its_own_cases_in_order_with_their_tags(client, secretariat):
    deaths = [
        ChildDeathFactory(died_on=TODAY - datetime.timedelta(days=n), status=DeathStatus.CLOSED)
        for n in range(28)
    ]
    oldest, second_oldest = deaths[-1], deaths[-2]
    ReferralFactory(death=oldest)
    DeathDuplicate.objects.create(
        death=second_oldest, match=deaths[0], reason=MatchReason.NAME_AND_DOB
    )
    client.force_login(secretariat)
    text = client.get(f"{LIST}?status=closed&page=2").content.decode()
    assert "28 cases" in text and "page 2 of 2" in text
    shown = [d for d in deaths if d.reference in text]
    assert shown == deaths[25:]
    positions = [text.index(d.reference) for d in shown]
    assert positions == sorted(positions)  # latest death first
    assert text.count("Open referral</strong>") == 1
    assert text.count("Possible duplicate</strong>") == 1
    assert text.index("Open referral") > text.index(oldest.reference)
    assert 'href="?status=closed&amp;page=1"' in text


def test_the_years_offered_run_from_the_latest_death_to_the_earliest(client, cdop_member):
    ChildDeathFactory(died_on=datetime.date(2024, 5, 1), date_of_birth=datetime.date(2020, 1, 1))
    ChildDeathFactory(died_on=datetime.date(2027, 1, 2), date_of_birth=datetime.date(2020, 1, 1))
    client.force_login(cdop_member)
    text = client.get(LIST).content.decode()
    years = [y for y in range(2020, 2030) if f'<option value="{y}">' in text]
    assert years == [2024, 2025, 2026, 2027]
    assert text.index('<option value="2027">') < text.index('<option value="2024">')
    assert "No case matches these filters" in client.get(f"{LIST}?year=2025").content.decode()


@pytest.mark.parametrize("role", OTHERS)
def test_the_list_is_refused_outside_the_panel_team(client, request, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(LIST).status_code == 403


def test_the_list_asks_anonymous_people_to_sign_in(client, board):
    response = client.get(LIST)
    assert response.status_code == 302 and "sign-in" in response["Location"]


def _grow(n: int) -> None:
    for _ in range(n):
        death = ChildDeathFactory(reviewing_area=other_area())
        ReferralFactory(death=ChildDeathFactory(residence_area=other_area()))
        AgencyInformationFactory(death=death)
        DeathDuplicate.objects.create(
            death=death, match=ChildDeathFactory(), reason=MatchReason.NHS_NUMBER
        )


@pytest.mark.parametrize(
    "url", [LIST, f"{LIST}?status=notified&q=CDOP", f"{LIST}?reviewing=ours&neonatal=no"]
)
def test_the_list_runs_a_fixed_number_of_queries(
    client, secretariat, url, django_assert_max_num_queries
):
    _grow(2)
    client.force_login(secretariat)
    few = _queries(client, url)
    _grow(15)
    with django_assert_max_num_queries(few):
        assert client.get(url).status_code == 200


# One case -----------------------------------------------------------------------------------


def test_the_case_page_shows_the_whole_case_and_logs_the_view(client, cdop_member):
    police = AgencyFactory(name="Hertfordshire Constabulary")
    death = ChildDeathFactory(
        first_name="Aoife",
        last_name="O'Reilly",
        nhs_number="9434765919",
        died_on=datetime.date(2027, 3, 7),
        died_at_time=datetime.time(14, 30),
        place_detail="Lister Hospital",
        circumstances="Found unresponsive in bed.",
        jar_started_on=datetime.date(2027, 3, 7),
        jar_lead="Dr A Patel, designated doctor",
        jar_summary="Home visit with the police.",
        status=DeathStatus.GATHERING,
    )
    AgencyInformationFactory(death=death, agency=police, requested_on=datetime.date(2027, 3, 8))
    client.force_login(cdop_member)
    text = client.get(case_url(death)).content.decode()
    for expected in (
        death.reference,
        escape(death.child_name),
        "9434765919",
        "7 March 2027, 2:30pm",
        "Lister Hospital",
        "Found unresponsive in bed.",
        "5 to 9 years",
        "6 years",
        "Gathering information",
        "Dr A Patel, designated doctor",
        "Home visit with the police.",
        "Hertfordshire Constabulary",
        "8 March 2027",
        "Record as received",
        "Our panel (Hertfordshire)",
        "The default rule: the child normally lived in Hertfordshire",
        escape(death.notifier_name),
        death.notifier_agency.name,
        death.notifier_email,
        f"/cdop/deaths/{death.pk}/review/",
        f"/cdop/deaths/{death.pk}/refer-to-case-review/",
        f"/cdop/deaths/{death.pk}/review-meeting/",
        f"/cdop/deaths/{death.pk}/agency-information/new/",
        "It can be listed once its child death review meeting has been held.",
    ):
        assert expected in text, expected
    # Listed for the panel only after the child death review meeting.
    assert f"/cdop/deaths/{death.pk}/panel-meeting/" not in text
    assert accessed(death, cdop_member)


def test_the_case_page_shows_a_public_notifiers_organisation_and_contact(client, secretariat):
    death = ChildDeathFactory(
        via=NotifiedVia.PUBLIC_FORM,
        notifier=None,
        notifier_name="Jo Bloggs",
        notifier_role="Paramedic",
        notifier_organisation="East of England Ambulance Service",
        notifier_email="jo@ambulance.example",
        notifier_phone="07700 900123",
    )
    client.force_login(secretariat)
    text = client.get(case_url(death)).content.decode()
    for expected in (
        "Public notification form",
        "Jo Bloggs",
        "Paramedic",
        "East of England Ambulance Service",
        "jo@ambulance.example",
        "07700 900123",
    ):
        assert expected in text, expected


def test_an_expected_death_needs_no_joint_agency_response(client, secretariat):
    death = ChildDeathFactory(expectation=Expectation.EXPECTED)
    client.force_login(secretariat)
    text = client.get(case_url(death)).content.decode()
    assert "Not needed: the death was expected." in text
    assert f"/cdop/deaths/{death.pk}/joint-agency-response/" not in text


def test_a_looked_after_neonate_shows_why_the_panel_reviews(client, secretariat):
    death = ChildDeathFactory(
        date_of_birth=TODAY - datetime.timedelta(days=12),
        died_on=TODAY - datetime.timedelta(days=2),
        residence_area=other_area(),
        looked_after_by=home_area(),
    )
    client.force_login(secretariat)
    text = client.get(case_url(death)).content.decode()
    assert "10 days" in text
    assert "0 to 27 days" in text
    assert "Yes: under 28 days old" in text
    assert "Yes, by Hertfordshire" in text
    assert "looked after by Hertfordshire" in text
    assert "where the mother normally lives" in text


def test_the_case_page_shows_its_referrals_and_their_steps(client, secretariat):
    referral = ReferralFactory(
        status=ReferralStatus.AGREED,
        acknowledged_on=TODAY - datetime.timedelta(days=1),
        agreed_on=TODAY,
        reviewing_panel=ReviewingPanel.THEIRS,
        next_step_due=TODAY - datetime.timedelta(days=1),
    )
    ChildDeath.objects.filter(pk=referral.death_id).update(
        status=DeathStatus.ELSEWHERE, reviewing_area=other_area()
    )
    client.force_login(secretariat)
    text = client.get(case_url(referral.death)).content.decode()
    assert f"/cdop/referrals/{referral.pk}/" in text
    assert "Reviewing panel agreed" in text
    assert "Agreed 10 March 2027" in text
    assert "Bedford Borough&#x27;s panel to report the outcome" in text
    assert "govuk-tag--red" in text
    assert "Agreed with Bedford Borough&#x27;s panel on 10 March 2027: their panel reviews." in text
    assert "Reviewed by another panel" in text
    # Handed over: no more progress is recorded here.
    assert f"/cdop/deaths/{referral.death_id}/agency-information/new/" not in text


def test_the_case_page_links_the_panel_meeting(client, secretariat, board):
    meeting = MeetingFactory(group=board[GroupFunction.CHILD_DEATH_OVERVIEW])
    death = ChildDeathFactory(status=DeathStatus.PANEL, panel_meeting=meeting)
    client.force_login(secretariat)
    text = client.get(case_url(death)).content.decode()
    assert f"/meetings/{meeting.pk}/" in text
    assert f"/cdop/deaths/{death.pk}/close/" in text


@pytest.mark.parametrize("role", OTHERS)
def test_the_case_page_is_not_found_for_others(client, request, role):
    user = request.getfixturevalue(role)
    death = ChildDeathFactory(notifier_agency=user.agency)
    client.force_login(user)
    assert client.get(case_url(death)).status_code == 404
    assert not accessed(death, user)


def test_the_case_page_runs_a_fixed_number_of_queries(
    client, secretariat, django_assert_max_num_queries
):
    death = ChildDeathFactory()
    client.force_login(secretariat)
    few = _queries(client, case_url(death))
    for _ in range(4):
        AgencyInformationFactory(death=death)
        DeathDuplicate.objects.create(
            death=ChildDeathFactory(), match=death, reason=MatchReason.NHS_NUMBER
        )
        ReferralFactory(death=death, other_area=other_area(f"Area {_}"))
    with django_assert_max_num_queries(few):
        assert client.get(case_url(death)).status_code == 200


# Possible duplicates -------------------------------------------------------------------------


def test_a_possible_duplicate_is_shown_on_both_cases_and_dismissed(client, cdop_member):
    first = ChildDeathFactory()
    second = ChildDeathFactory()
    flag = DeathDuplicate.objects.create(death=second, match=first, reason=MatchReason.NAME_AND_DOB)
    client.force_login(cdop_member)
    text = client.get(case_url(first)).content.decode()
    assert second.reference in text
    assert "Same name and date of birth" in text
    assert f'action="/cdop/duplicates/{flag.pk}/dismiss/"' in text
    response = client.post(f"/cdop/duplicates/{flag.pk}/dismiss/", {"from": first.pk})
    assert response.status_code == 302 and response["Location"] == case_url(first)
    flag.refresh_from_db()
    assert flag.dismissed_at is not None
    text = client.get(case_url(first), follow=True).content.decode()
    assert "are recorded as not the same child" in text
    assert "This may be the same child" not in text
    assert f'action="/cdop/duplicates/{flag.pk}/dismiss/"' not in text
    # Pressed again (another tab): a message, not an error page.
    again = client.post(f"/cdop/duplicates/{flag.pk}/dismiss/", follow=True)
    assert again.status_code == 200
    assert "already dismissed" in again.content.decode()
    assert again.redirect_chain[-1][0] == case_url(second)


def test_dismissing_is_post_only_for_the_team_and_not_found_for_others(
    client, request, secretariat
):
    flag = DeathDuplicate.objects.create(
        death=ChildDeathFactory(), match=ChildDeathFactory(), reason=MatchReason.NHS_NUMBER
    )
    url = f"/cdop/duplicates/{flag.pk}/dismiss/"
    client.force_login(secretariat)
    assert client.get(url).status_code == 405
    for role in ("board_chair", "agency_staff", "member"):
        client.force_login(request.getfixturevalue(role))
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    flag.refresh_from_db()
    assert flag.dismissed_at is None
    client.force_login(secretariat)
    assert client.get("/cdop/duplicates/999999/dismiss/").status_code == 404


def test_an_inbound_case_is_reviewed_here_by_default(client, secretariat):
    referral = ReferralFactory(
        direction=Direction.INBOUND,
        death=ChildDeathFactory(place_area=other_area(), via=NotifiedVia.OTHER_PANEL),
        other_area=other_area(),
    )
    client.force_login(secretariat)
    text = client.get(case_url(referral.death)).content.decode()
    assert "From Bedford Borough's panel" in text
    assert "Our panel (Hertfordshire)" in text
    assert "Our acknowledgement to Bedford Borough&#x27;s panel" in text
