"""Cross-area referrals through their pages: the coordinator's one page of every referral, a
death referred in by another area's panel, a referral with its dated history, and its steps;
bad input refused with an error summary; who may see them; fixed query counts."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from cdop.models import (
    ChildDeath,
    DeathStatus,
    Direction,
    NotifiedVia,
    Referral,
    ReferralStatus,
    ReviewingPanel,
)
from tests.cdop.factories import ChildDeathFactory, ReferralFactory, home_area, other_area
from tests.hscb.test_bad_input import assert_error_page

pytestmark = pytest.mark.django_db

LIST = "/cdop/referrals/"
INBOUND = "/cdop/referrals/inbound/new/"
TODAY = datetime.date(2027, 3, 10)  # a Wednesday
DIED = datetime.date(2027, 3, 5)
OTHERS = ["board_chair", "group_chair", "member", "agency_staff", "case_review_member", "outsider"]


@pytest.fixture(autouse=True)
def wednesday():
    with time_machine.travel(
        timezone.make_aware(datetime.datetime.combine(TODAY, datetime.time(10))), tick=False
    ):
        yield


def date_parts(prefix: str, on: datetime.date) -> dict[str, str]:
    return {f"{prefix}_0": str(on.day), f"{prefix}_1": str(on.month), f"{prefix}_2": str(on.year)}


def url(referral, step: str = "") -> str:
    return f"/cdop/referrals/{referral.pk}/{step + '/' if step else ''}"


def outbound(**kwargs) -> Referral:
    kwargs.setdefault("sent_on", DIED)
    return ReferralFactory(
        death=ChildDeathFactory(residence_area=other_area(), died_on=DIED), **kwargs
    )


def inbound(**kwargs) -> Referral:
    return ReferralFactory(
        direction=Direction.INBOUND,
        death=ChildDeathFactory(place_area=other_area("Luton"), died_on=DIED),
        other_area=other_area("Luton"),
        sent_on=DIED,
        **kwargs,
    )


def inbound_form(**overrides) -> dict[str, str]:
    data = {
        "first_name": "Maisie",
        "last_name": "O'Connor",
        "nhs_number": "943 476 5919",
        **date_parts("date_of_birth", datetime.date(2020, 1, 15)),
        "sex": "female",
        "ethnicity": "white_irish",
        "born_alive": "yes",
        **date_parts("died_on", DIED),
        "place_area": str(other_area().pk),
        "place_setting": "hospital",
        "place_detail": "Bedford Hospital",
        "expectation": "unexpected",
        "circumstances": "Collapsed on holiday.",
        "contact_name": "Sam Jones",
        "contact_email": "sam.jones@bedford.example",
        "contact_phone": "01234 567890",
        **date_parts("received_on", TODAY),
    }
    data.update(overrides)
    return data


def _queries(client, address: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(address).status_code == 200
    return len(captured)


# The list ------------------------------------------------------------------------------------


def test_the_list_shows_every_referral_with_its_steps_and_the_step_awaited(client, cdop_member):
    out = outbound(next_step_due=TODAY - datetime.timedelta(days=1), emailed_at=None)
    out.death.last_name = "O'Hara"
    out.death.save()
    came_in = inbound(
        status=ReferralStatus.ACKNOWLEDGED,
        acknowledged_on=datetime.date(2027, 3, 8),
        next_step_due=datetime.date(2027, 3, 15),
    )
    finished = ReferralFactory(
        death=ChildDeathFactory(residence_area=other_area("Barnet")),
        other_area=other_area("Barnet"),
        status=ReferralStatus.OUTCOME_REPORTED,
        sent_on=DIED,
        acknowledged_on=DIED,
        agreed_on=DIED,
        outcome_reported_on=datetime.date(2027, 3, 9),
        next_step_due=None,
        emailed_at=timezone.now(),
    )
    client.force_login(cdop_member)
    text = client.get(LIST).content.decode()
    for expected in (
        out.death.reference,
        came_in.death.reference,
        finished.death.reference,
        "Referred out",
        "Referred in",
        "Bedford Borough",
        "Luton",
        "Barnet",
        "Sent 5 March 2027",
        "Received 5 March 2027",
        "Acknowledged 8 March 2027",
        "Outcome 9 March 2027",
        "Bedford Borough&#x27;s panel to acknowledge it",
        "Overdue by 1 working day",
        "The panels to agree which reviews",
        "due 15 March 2027",
        "3 working days left",
        "Complete",
    ):
        assert expected in text, expected
    assert "govuk-tag--red" in text
    assert text.count("Not emailed</strong>") == 1
    assert escape("O'Hara") not in text and "O'Hara" not in text


def test_the_list_filters_by_direction_status_and_the_step_awaited(client, secretariat):
    overdue = outbound(next_step_due=TODAY - datetime.timedelta(days=2))
    waiting = inbound(next_step_due=TODAY + datetime.timedelta(days=2))
    done = outbound(status=ReferralStatus.OUTCOME_REPORTED, next_step_due=None)
    Referral.objects.filter(pk=done.pk).update(other_area=other_area("Barnet"))
    client.force_login(secretariat)

    def refs(query: str) -> set[str]:
        text = client.get(f"{LIST}?{query}").content.decode()
        return {r.death.reference for r in (overdue, waiting, done) if r.death.reference in text}

    assert refs("direction=inbound") == {waiting.death.reference}
    assert refs("direction=outbound") == {overdue.death.reference, done.death.reference}
    assert refs("status=outcome_reported") == {done.death.reference}
    assert refs("awaiting=awaited") == {overdue.death.reference, waiting.death.reference}
    assert refs("awaiting=overdue") == {overdue.death.reference}
    assert refs(f"q={waiting.death.reference}") == {waiting.death.reference}


@pytest.mark.parametrize("query", ["direction=sideways", "status=lost", "awaiting=forever"])
def test_the_list_answers_unreadable_filters_with_an_error_summary(client, secretariat, query):
    outbound()
    client.force_login(secretariat)
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()


@pytest.mark.parametrize("role", OTHERS)
def test_the_list_and_the_inbound_form_are_refused_outside_the_panel_team(client, request, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(LIST).status_code == 403
    assert client.get(INBOUND).status_code == 403
    assert client.post(INBOUND, inbound_form()).status_code == 403
    assert not ChildDeath.objects.exists()


def _grow(n: int) -> None:
    for i in range(n):
        outbound(next_step_due=TODAY - datetime.timedelta(days=i))
        inbound_death = ChildDeathFactory(place_area=other_area(f"Area {i}"))
        ReferralFactory(
            death=inbound_death, direction=Direction.INBOUND, other_area=other_area(f"Area {i}")
        )


@pytest.mark.parametrize("address", [LIST, f"{LIST}?awaiting=overdue&q=CDOP&direction=outbound"])
def test_the_list_runs_a_fixed_number_of_queries(
    client, secretariat, address, django_assert_max_num_queries
):
    _grow(2)
    client.force_login(secretariat)
    few = _queries(client, address)
    _grow(15)
    with django_assert_max_num_queries(few):
        assert client.get(address).status_code == 200


def test_the_list_pages_25_referrals_at_a_time(client, secretariat):
    for _ in range(26):
        outbound()
    client.force_login(secretariat)
    text = client.get(LIST).content.decode()
    assert "26 referrals" in text and "page 1 of 2" in text
    assert 'aria-label="Pages of referrals"' in text


def test_the_list_is_awaited_soonest_first_then_done_newest_first_across_its_pages(
    client, secretariat
):
    awaited = [outbound(next_step_due=TODAY + datetime.timedelta(days=n)) for n in range(-2, 22)]
    undated = outbound(next_step_due=None)
    done = [
        outbound(
            status=ReferralStatus.OUTCOME_REPORTED,
            next_step_due=None,
            sent_on=DIED - datetime.timedelta(days=n),
        )
        for n in range(2)
    ]
    client.force_login(secretariat)

    def listed(page: int) -> list[Referral]:
        text = client.get(f"{LIST}?page={page}").content.decode()
        shown = [r for r in [*awaited, undated, *done] if r.death.reference in text]
        return sorted(shown, key=lambda r: text.index(r.death.reference))

    assert listed(1) == [*awaited, undated]
    assert listed(2) == done


# A death referred in --------------------------------------------------------------------------


def test_the_coordinator_records_a_death_referred_in(client, cdop_member):
    other_area()
    client.force_login(cdop_member)
    text = client.get(INBOUND).content.decode()
    assert "Bedford Borough" in text
    assert f'<option value="{home_area().pk}"' not in text
    response = client.post(INBOUND, inbound_form())
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert response["Location"] == url(referral)
    death = referral.death
    assert death.via == NotifiedVia.OTHER_PANEL
    assert death.reviewing_area == home_area() and death.residence_area == home_area()
    assert death.last_name == "O'Connor"
    assert referral.direction == Direction.INBOUND and referral.sent_on == TODAY
    page = client.get(response["Location"]).content.decode()
    assert f"{death.reference} has been recorded" in page
    assert "Our acknowledgement to Bedford Borough" in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"born_alive": "no"}, "born_alive", "stillbirth"),
        ({"born_alive": ""}, "born_alive", "Say whether the child was born alive"),
        (
            date_parts("date_of_birth", datetime.date(2009, 1, 1)),
            "date_of_birth",
            "deaths of adults are not reviewed",
        ),
        (date_parts("died_on", datetime.date(2019, 12, 1)), "died_on", "on or after the date of"),
        (date_parts("died_on", TODAY + datetime.timedelta(days=1)), "died_on", "today or in the"),
        ({"nhs_number": "943 476 5918"}, "nhs_number", "Enter a valid NHS number"),
        ({"nhs_number": "abc"}, "nhs_number", "NHS number must only include numbers"),
        ({"first_name": ""}, "first_name", "Enter the first name"),
        ({"last_name": "x" * 101}, "last_name", "100 characters or fewer"),
        ({"circumstances": "x" * 10001}, "circumstances", "10,000 characters or fewer"),
        ({"circumstances": "a\x00b"}, "circumstances", "Null characters are not allowed"),
        ({"sex": "robot"}, "sex", "Choose the child"),
        ({"ethnicity": ""}, "ethnicity", "Choose the child"),
        ({"place_area": ""}, "place_area", "Choose the area where the child died"),
        ({"place_area": "home"}, "place_area", "Choose the area from the list"),
        ({"place_area": "99999999999999999999999"}, "place_area", "Choose the area from the"),
        ({"place_setting": ""}, "place_setting", "Choose where the child died"),
        ({"expectation": "maybe"}, "expectation", "Choose whether the death was expected"),
        ({"contact_email": "not-an-email"}, "contact_email", "in the correct format"),
        ({"contact_name": ""}, "contact_name", "Enter the name of the panel"),
        (date_parts("received_on", datetime.date(2027, 3, 1)), "received_on", "date of death"),
    ],
)
def test_a_bad_inbound_referral_is_refused_with_an_error_summary(
    client, cdop_member, overrides, field, message
):
    if overrides.get("place_area") == "home":
        overrides["place_area"] = str(home_area().pk)
    client.force_login(cdop_member)
    text = assert_error_page(client.post(INBOUND, inbound_form(**overrides)))
    assert f'href="#id_{field}' in text
    assert escape(message) in text or message in text
    kept = "Maisie" if field == "contact_name" else "Sam Jones"
    assert f'value="{kept}"' in text
    assert not ChildDeath.objects.exists() and not Referral.objects.exists()


def test_an_empty_inbound_form_names_every_missing_answer(client, secretariat):
    client.force_login(secretariat)
    text = assert_error_page(client.post(INBOUND, {}), "first_name", "sex_1", "born_alive_1")
    for message in (
        "Enter the first name",
        "Enter the last name",
        "Enter the date of birth",
        "Enter the date of death",
        "Choose the area where the child died",
        "Enter the contact&#x27;s email address",
    ):
        assert message in text, message


# One referral and its steps ----------------------------------------------------------------


def test_a_referral_shows_its_dated_history_and_the_view_is_logged(client, cdop_member):
    referral = outbound()
    client.force_login(cdop_member)
    client.post(
        url(referral, "acknowledged"), date_parts("acknowledged_on", datetime.date(2027, 3, 8))
    )
    text = client.get(url(referral)).content.decode()
    for expected in (
        referral.death.reference,
        "Referred to Bedford Borough",
        "5 March 2027",
        "Acknowledged by their panel",
        "8 March 2027",
        f"By {escape(cdop_member.get_full_name())}",
        "The panels to agree which reviews",
        "due 15 March 2027",
        "Record which panel reviews",
        f"/cdop/referrals/{referral.pk}/agreed/",
        "The child normally lived in Bedford Borough",
        "Bedford Borough Child Death Overview Panel (cdop@bedford-borough.example)",
        "Not emailed",
    ):
        assert expected in text, expected
    assert escape(referral.death.last_name) not in text
    for record in (referral, referral.death):
        assert (
            LogEntry.objects.get_for_object(record)
            .filter(action=LogEntry.Action.ACCESS, actor=cdop_member)
            .exists()
        )


@pytest.mark.parametrize("role", OTHERS)
def test_a_referrals_pages_are_not_found_outside_the_panel_team(client, request, role):
    user = request.getfixturevalue(role)
    referral = outbound()
    client.force_login(user)
    for step in ("", "acknowledged", "agreed", "outcome"):
        assert client.get(url(referral, step)).status_code == 404
    assert (
        client.post(url(referral, "acknowledged"), date_parts("acknowledged_on", TODAY)).status_code
        == 404
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT
    assert (
        not LogEntry.objects.get_for_object(referral)
        .filter(action=LogEntry.Action.ACCESS, actor=user)
        .exists()
    )


def test_the_steps_are_recorded_through_their_pages(client, secretariat):
    referral = outbound()
    client.force_login(secretariat)
    response = client.post(url(referral, "acknowledged"), date_parts("acknowledged_on", TODAY))
    assert response.status_code == 302 and response["Location"] == url(referral)
    assert "is due by 17 March 2027" in client.get(url(referral)).content.decode()
    page = client.get(url(referral, "agreed")).content.decode()
    # The rule proposes the panel where the child lived: theirs.
    assert re.search(r'value="theirs"\s+checked', page)
    response = client.post(
        url(referral, "agreed"),
        {
            **date_parts("agreed_on", TODAY),
            "reviewing_panel": "theirs",
            "how_told": "They send us their panel's conclusions.",
        },
    )
    assert response.status_code == 302
    text = client.get(url(referral)).content.decode()
    assert "the case is handed over to it" in text
    death = ChildDeath.objects.get(pk=referral.death_id)
    assert death.status == DeathStatus.ELSEWHERE and death.reviewing_area == other_area()
    response = client.post(
        url(referral, "outcome"),
        {**date_parts("reported_on", TODAY), "note": "Category 10, no modifiable factors."},
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.OUTCOME_REPORTED
    assert referral.reminder_next_on is None
    text = client.get(url(referral)).content.decode()
    assert "Category 10, no modifiable factors." in text
    assert "Outcome reported" in text


def test_a_looked_after_child_defaults_to_the_authority_looking_after_them(client, secretariat):
    referral = outbound(status=ReferralStatus.ACKNOWLEDGED, acknowledged_on=DIED)
    ChildDeath.objects.filter(pk=referral.death_id).update(looked_after_by=home_area())
    client.force_login(secretariat)
    page = client.get(url(referral, "agreed")).content.decode()
    assert re.search(r'value="ours"\s+checked', page)
    assert "looked after by Hertfordshire" in page


def test_a_step_answered_twice_is_refused_through_the_form(client, secretariat):
    referral = outbound(status=ReferralStatus.ACKNOWLEDGED, acknowledged_on=DIED)
    client.force_login(secretariat)
    assert (
        "already recorded on 5 March 2027"
        in client.get(url(referral, "acknowledged")).content.decode()
    )
    text = assert_error_page(
        client.post(url(referral, "acknowledged"), date_parts("acknowledged_on", TODAY))
    )
    assert "The acknowledgement was already recorded on 5 March 2027" in text
    referral.refresh_from_db()
    assert referral.acknowledged_on == DIED


def test_steps_out_of_order_are_refused_through_the_form(client, secretariat):
    referral = outbound()
    client.force_login(secretariat)
    text = assert_error_page(
        client.post(
            url(referral, "agreed"),
            {**date_parts("agreed_on", TODAY), "reviewing_panel": "ours", "how_told": "Email"},
        )
    )
    assert "Record the acknowledgement first" in text
    text = assert_error_page(
        client.post(url(referral, "outcome"), {**date_parts("reported_on", TODAY), "note": "x"})
    )
    assert "Record the panels&#x27; agreement" in text
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT


@pytest.mark.parametrize(
    ("step", "data", "field", "message"),
    [
        (
            "acknowledged",
            date_parts("acknowledged_on", DIED - datetime.timedelta(days=1)),
            "acknowledged_on",
            "on or after the date the referral was sent, 5 March 2027",
        ),
        (
            "acknowledged",
            date_parts("acknowledged_on", TODAY + datetime.timedelta(days=1)),
            "acknowledged_on",
            "today or in the past",
        ),
        ("acknowledged", {}, "acknowledged_on", "Enter the date it was acknowledged"),
        (
            "agreed",
            {**date_parts("agreed_on", TODAY), "how_told": "Email"},
            "reviewing_panel",
            "Choose which panel reviews the death",
        ),
        (
            "agreed",
            {**date_parts("agreed_on", TODAY), "reviewing_panel": "ours", "how_told": ""},
            "how_told",
            "Enter how the other panel will be told the outcome",
        ),
        (
            "agreed",
            {**date_parts("agreed_on", TODAY), "reviewing_panel": "ours", "how_told": "x" * 2001},
            "how_told",
            "2,000 characters or fewer",
        ),
        (
            "agreed",
            {**date_parts("agreed_on", TODAY), "reviewing_panel": "ours", "how_told": "a\x00"},
            "how_told",
            "Null characters are not allowed",
        ),
        ("outcome", {**date_parts("reported_on", TODAY), "note": ""}, "note", "Enter the outcome"),
    ],
)
def test_a_bad_step_is_refused_with_an_error_summary(
    client, secretariat, step, data, field, message
):
    status = {"acknowledged": ReferralStatus.SENT, "agreed": ReferralStatus.ACKNOWLEDGED}.get(
        step, ReferralStatus.AGREED
    )
    referral = outbound(
        status=status,
        acknowledged_on=DIED if status != ReferralStatus.SENT else None,
        agreed_on=DIED if status == ReferralStatus.AGREED else None,
        reviewing_panel=ReviewingPanel.OURS if status == ReferralStatus.AGREED else "",
    )
    client.force_login(secretariat)
    text = assert_error_page(client.post(url(referral, step), data))
    assert f'href="#id_{field}' in text
    assert message in text
    referral.refresh_from_db()
    assert referral.status == status
