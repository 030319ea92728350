"""Cross-area referrals, in the services: a death referred in by another area's panel (the
panel's scope, the areas, the derived fields, the reference), and each step of a referral:
dated in order, not in the future, once only, the next step due in working days and chased,
the reviewing panel agreed by default where the child lived (or the authority looking after
them), and the case handed over when the other panel reviews it."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
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
    PlaceSetting,
    Referral,
    ReferralStatus,
    ReviewingPanel,
)
from cdop.services import deaths, referrals
from hscb.models import Ethnicity, GroupFunction, MembershipRole, Sex
from hscb.services.reminders import reminders_send
from tests.cdop.factories import ChildDeathFactory, ReferralFactory, home_area, other_area
from tests.hscb.factories import MembershipFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2027, 3, 10)  # a Wednesday
DIED = datetime.date(2027, 3, 5)  # a Friday
BORN = datetime.date(2020, 1, 15)


@pytest.fixture(autouse=True)
def wednesday():
    with time_machine.travel(
        timezone.make_aware(datetime.datetime.combine(TODAY, datetime.time(10))), tick=False
    ):
        yield


@pytest.fixture
def coordinator(board):
    return MembershipFactory(
        group=board[GroupFunction.CHILD_DEATH_OVERVIEW], role=MembershipRole.SECRETARIAT
    ).user


def inbound_data(**overrides) -> dict:
    data = {
        "first_name": "Maisie",
        "last_name": "O'Connor",
        "nhs_number": "943 476 5919",
        "date_of_birth": BORN,
        "sex": Sex.FEMALE,
        "ethnicity": Ethnicity.WHITE_IRISH,
        "born_alive": True,
        "died_on": DIED,
        "place_area": other_area(),
        "place_setting": PlaceSetting.HOSPITAL,
        "place_detail": "Bedford Hospital",
        "expectation": Expectation.UNEXPECTED,
        "circumstances": "Collapsed on holiday with her grandparents.",
        "contact_name": "Sam Jones",
        "contact_email": "sam.jones@bedford.example",
        "contact_phone": "01234 567890",
        "received_on": TODAY - datetime.timedelta(days=1),
    }
    data.update(overrides)
    return data


def messages_of(error: ValidationError, field: str | None = None) -> str:
    if field is None:
        return " ".join(error.messages)
    return " ".join(error.message_dict[field])


def answered(referral: Referral, *, to: str) -> Referral:
    """Move the referral on to `to`, recording each step on the day before today."""
    Referral.objects.filter(pk=referral.pk).update(
        status=to,
        acknowledged_on=DIED + datetime.timedelta(days=1),
        agreed_on=DIED + datetime.timedelta(days=2)
        if to in (ReferralStatus.AGREED, ReferralStatus.OUTCOME_REPORTED)
        else None,
        reviewing_panel=ReviewingPanel.OURS
        if to in (ReferralStatus.AGREED, ReferralStatus.OUTCOME_REPORTED)
        else "",
    )
    referral.refresh_from_db()
    return referral


def outbound(**death) -> Referral:
    """A referral sent to Bedford Borough's panel on the day of the death, 5 March."""
    death.setdefault("died_on", DIED)
    return ReferralFactory(
        death=ChildDeathFactory(residence_area=other_area(), **death), sent_on=DIED
    )


# A death referred in -----------------------------------------------------------------------


def test_an_inbound_referral_records_the_death_as_ours_and_awaits_our_acknowledgement(
    board, cdop_member, coordinator
):
    referral = referrals.referral_record_inbound(by=cdop_member, **inbound_data())
    death = referral.death
    assert death.reference == f"CDOP-2027-{death.pk:05d}"
    assert death.via == NotifiedVia.OTHER_PANEL
    assert death.residence_area == home_area()
    assert death.reviewing_area == home_area()
    assert death.place_area == other_area()
    assert death.status == DeathStatus.NOTIFIED
    assert death.nhs_number == "9434765919"
    assert death.name_key == "maisie|o'connor"
    assert (death.age_years, death.band, death.is_neonatal) == (7, AgeBand.AGE_5_9, False)
    assert death.age_days == (DIED - BORN).days
    assert death.notifier is None
    assert death.notifier_name == "Sam Jones"
    assert death.notifier_email == "sam.jones@bedford.example"
    assert death.notifier_organisation == "Bedford Borough Child Death Overview Panel"
    assert referral.direction == Direction.INBOUND
    assert referral.other_area == other_area()
    assert referral.status == ReferralStatus.SENT
    assert referral.sent_on == TODAY - datetime.timedelta(days=1)
    # Received on Tuesday 9 March: our acknowledgement is due 5 working days later.
    assert referral.next_step_due == datetime.date(2027, 3, 16)
    assert referral.owner == coordinator
    assert referral.group == board[GroupFunction.CHILD_DEATH_OVERVIEW]
    assert referral.reminder_next_on is not None


def test_a_neonatal_death_is_derived_from_its_dates(board, cdop_member):
    referral = referrals.referral_record_inbound(
        by=cdop_member,
        **inbound_data(date_of_birth=DIED - datetime.timedelta(days=10), nhs_number=""),
    )
    death = referral.death
    assert (death.age_days, death.age_years) == (10, 0)
    assert death.band == AgeBand.NEONATAL and death.is_neonatal


def test_without_a_coordinator_the_person_recording_it_is_reminded(board, cdop_member):
    referral = referrals.referral_record_inbound(by=cdop_member, **inbound_data())
    assert referral.owner == cdop_member


def test_an_inbound_referral_flags_a_death_already_notified_of_the_same_child(board, cdop_member):
    earlier = ChildDeathFactory(nhs_number="9434765919", died_on=DIED)
    by_name = ChildDeathFactory(
        first_name="MAISIE", last_name="o'connor", date_of_birth=BORN, died_on=DIED
    )
    referral = referrals.referral_record_inbound(by=cdop_member, **inbound_data())
    flags = {f.match_id: f.reason for f in DeathDuplicate.objects.filter(death=referral.death)}
    assert flags == {earlier.pk: MatchReason.NHS_NUMBER, by_name.pk: MatchReason.NAME_AND_DOB}


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"born_alive": False}, "born_alive", "stillbirth"),
        ({"born_alive": None}, "born_alive", "Say whether the child was born alive"),
        (
            {"date_of_birth": datetime.date(2009, 3, 4)},
            "date_of_birth",
            "deaths of adults are not reviewed",
        ),
        (
            {"died_on": BORN - datetime.timedelta(days=1)},
            "died_on",
            "on or after the date of birth",
        ),
        ({"died_on": TODAY + datetime.timedelta(days=1)}, "died_on", "today or in the past"),
        ({"date_of_birth": None}, "date_of_birth", "Enter the date of birth"),
        ({"nhs_number": "943 476 5918"}, "nhs_number", "Enter a valid NHS number"),
        ({"nhs_number": "12345"}, "nhs_number", "NHS number must be 10 digits"),
        ({"first_name": ""}, "first_name", "Enter the first name"),
        ({"last_name": "x" * 101}, "last_name", "100 characters or fewer"),
        ({"circumstances": "a\x00b"}, "circumstances", "null characters"),
        ({"sex": "robot"}, "sex", "Choose the child's sex"),
        ({"ethnicity": ""}, "ethnicity", "Choose the child's ethnic group"),
        ({"place_setting": "moon"}, "place_setting", "Choose where the child died"),
        ({"expectation": ""}, "expectation", "Choose expected or unexpected"),
        ({"place_area": None}, "place_area", "Choose the area where the child died"),
        ({"contact_email": "not-an-email"}, "contact_email", "in the correct format"),
        ({"contact_name": ""}, "contact_name", "Enter the name of the panel's contact"),
        ({"received_on": None}, "received_on", "Enter the date the notification was received"),
        ({"received_on": DIED - datetime.timedelta(days=1)}, "received_on", "the date of death"),
        ({"received_on": TODAY + datetime.timedelta(days=1)}, "received_on", "today or in"),
    ],
)
def test_an_inbound_referral_outside_the_rules_is_refused(
    board, cdop_member, overrides, field, message
):
    with pytest.raises(ValidationError) as error:
        referrals.referral_record_inbound(by=cdop_member, **inbound_data(**overrides))
    assert message in messages_of(error.value, field)
    assert not ChildDeath.objects.exists()
    assert not Referral.objects.exists()


def test_a_child_who_died_here_is_not_an_inbound_referral(board, cdop_member):
    with pytest.raises(ValidationError) as error:
        referrals.referral_record_inbound(by=cdop_member, **inbound_data(place_area=home_area()))
    assert "The child died in Hertfordshire" in messages_of(error.value, "place_area")


def test_only_the_panel_team_records_an_inbound_referral(board, member, board_chair):
    for user in (member, board_chair):
        with pytest.raises(PermissionDenied):
            referrals.referral_record_inbound(by=user, **inbound_data())


# The steps -----------------------------------------------------------------------------------


def test_each_step_is_dated_and_the_next_one_is_due_in_working_days(board, cdop_member):
    referral = outbound(died_on=DIED)
    done = referrals.referral_acknowledge(
        referral=referral, acknowledged_on=datetime.date(2027, 3, 8), by=cdop_member
    )
    assert done.status == ReferralStatus.ACKNOWLEDGED
    assert done.acknowledged_on == datetime.date(2027, 3, 8)
    assert done.next_step_due == datetime.date(2027, 3, 15)  # Monday + 5 working days
    assert done.reminder_next_on is not None
    done = referrals.referral_agree(
        referral=done,
        agreed_on=TODAY,
        reviewing_panel=ReviewingPanel.OURS,
        how_told="By secure email with the panel's analysis form.",
        by=cdop_member,
    )
    assert done.status == ReferralStatus.AGREED
    assert done.next_step_due == datetime.date(2027, 9, 10)  # the outcome: 6 months on
    done = referrals.referral_report_outcome(
        referral=done,
        reported_on=TODAY,
        note="Category 10: sudden unexpected death.",
        by=cdop_member,
    )
    done.refresh_from_db()
    assert done.status == ReferralStatus.OUTCOME_REPORTED
    assert done.outcome_reported_on == TODAY
    assert done.outcome_note == "Category 10: sudden unexpected death."
    assert done.next_step_due is None
    assert done.reminder_next_on is None


def test_a_step_over_a_bank_holiday_is_due_after_it(board, secretariat):
    with time_machine.travel(timezone.make_aware(datetime.datetime(2026, 12, 24, 10)), tick=False):
        referral = outbound(died_on=datetime.date(2026, 12, 20))
        Referral.objects.filter(pk=referral.pk).update(sent_on=datetime.date(2026, 12, 21))
        referral.refresh_from_db()
        done = referrals.referral_acknowledge(
            referral=referral, acknowledged_on=datetime.date(2026, 12, 24), by=secretariat
        )
    assert done.next_step_due == datetime.date(2027, 1, 5)


def test_a_step_answered_twice_is_refused(board, cdop_member):
    referral = outbound(died_on=DIED)
    referrals.referral_acknowledge(referral=referral, acknowledged_on=TODAY, by=cdop_member)
    with pytest.raises(ValidationError) as error:
        referrals.referral_acknowledge(referral=referral, acknowledged_on=TODAY, by=cdop_member)
    assert messages_of(error.value) == ("The acknowledgement was already recorded on 10 March 2027")
    answered(referral, to=ReferralStatus.AGREED)
    with pytest.raises(ValidationError) as error:
        referrals.referral_agree(
            referral=referral,
            agreed_on=TODAY,
            reviewing_panel=ReviewingPanel.THEIRS,
            how_told="Email",
            by=cdop_member,
        )
    assert "already recorded on 7 March 2027" in messages_of(error.value)
    referrals.referral_report_outcome(
        referral=referral, reported_on=TODAY, note="Done", by=cdop_member
    )
    with pytest.raises(ValidationError) as error:
        referrals.referral_report_outcome(
            referral=referral, reported_on=TODAY, note="Again", by=cdop_member
        )
    assert "already recorded as reported on 10 March 2027" in messages_of(error.value)


def test_steps_are_taken_in_order(board, cdop_member):
    referral = outbound(died_on=DIED)
    with pytest.raises(ValidationError) as error:
        referrals.referral_agree(
            referral=referral,
            agreed_on=TODAY,
            reviewing_panel=ReviewingPanel.OURS,
            how_told="Email",
            by=cdop_member,
        )
    assert "Record the acknowledgement first" in messages_of(error.value)
    with pytest.raises(ValidationError) as error:
        referrals.referral_report_outcome(
            referral=referral, reported_on=TODAY, note="Done", by=cdop_member
        )
    assert "Record the panels' agreement" in messages_of(error.value)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT


@pytest.mark.parametrize(
    ("on", "message"),
    [
        (None, "Enter the date it was acknowledged"),
        (TODAY + datetime.timedelta(days=1), "must be today or in the past"),
        (datetime.date(2027, 3, 4), "on or after the date the referral was sent, 5 March 2027"),
    ],
)
def test_the_acknowledgement_date_is_checked(board, cdop_member, on, message):
    referral = outbound()
    with pytest.raises(ValidationError) as error:
        referrals.referral_acknowledge(referral=referral, acknowledged_on=on, by=cdop_member)
    assert message in messages_of(error.value, "acknowledged_on")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"agreed_on": None}, "agreed_on", "Enter the date it was agreed"),
        ({"agreed_on": TODAY + datetime.timedelta(days=1)}, "agreed_on", "today or in the past"),
        ({"agreed_on": DIED}, "agreed_on", "on or after the date it was acknowledged"),
        ({"reviewing_panel": ""}, "reviewing_panel", "Choose which panel reviews"),
        ({"reviewing_panel": "both"}, "reviewing_panel", "Choose which panel reviews"),
        ({"how_told": ""}, "how_told", "Enter how the other panel will be told"),
        ({"how_told": "x" * 2001}, "how_told", "2,000 characters or fewer"),
    ],
)
def test_the_agreement_is_checked(board, cdop_member, overrides, field, message):
    referral = answered(outbound(died_on=DIED), to=ReferralStatus.ACKNOWLEDGED)
    data = {"agreed_on": TODAY, "reviewing_panel": ReviewingPanel.OURS, "how_told": "Email"}
    data.update(overrides)
    with pytest.raises(ValidationError) as error:
        referrals.referral_agree(referral=referral, by=cdop_member, **data)
    assert message in messages_of(error.value, field)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACKNOWLEDGED


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"reported_on": None}, "reported_on", "Enter the date the outcome was reported"),
        ({"reported_on": DIED}, "reported_on", "on or after the date the panels agreed"),
        ({"note": ""}, "note", "Enter the outcome"),
        ({"note": "x" * 5001}, "note", "5,000 characters or fewer"),
    ],
)
def test_the_outcome_is_checked(board, cdop_member, overrides, field, message):
    referral = answered(outbound(died_on=DIED), to=ReferralStatus.AGREED)
    data = {"reported_on": TODAY, "note": "Category 10"}
    data.update(overrides)
    with pytest.raises(ValidationError) as error:
        referrals.referral_report_outcome(referral=referral, by=cdop_member, **data)
    assert message in messages_of(error.value, field)


# Which panel reviews -------------------------------------------------------------------------


def test_by_default_the_panel_where_the_child_lived_reviews(board):
    assert referrals.default_reviewing_panel(outbound())[0] == ReviewingPanel.THEIRS
    inbound = ReferralFactory(
        direction=Direction.INBOUND,
        death=ChildDeathFactory(place_area=other_area()),
        other_area=other_area(),
    )
    panel, why = referrals.default_reviewing_panel(inbound)
    assert panel == ReviewingPanel.OURS
    assert why == "The child normally lived in Hertfordshire: that area's panel reviews"


def test_a_looked_after_child_is_reviewed_by_the_authority_looking_after_them(board):
    # Lived in Bedford Borough, died here, looked after by Hertfordshire: ours.
    ours = outbound(looked_after_by=home_area())
    panel, why = referrals.default_reviewing_panel(ours)
    assert panel == ReviewingPanel.OURS
    assert "looked after by Hertfordshire" in why
    # Lived here, died in Luton, looked after by Luton: theirs.
    luton = other_area("Luton")
    inbound = ReferralFactory(
        direction=Direction.INBOUND,
        death=ChildDeathFactory(
            place_area=luton, residence_area=home_area(), looked_after_by=luton
        ),
        other_area=luton,
    )
    assert referrals.default_reviewing_panel(inbound)[0] == ReviewingPanel.THEIRS


def test_when_their_panel_reviews_the_case_is_handed_over(board, cdop_member):
    referral = answered(outbound(died_on=DIED), to=ReferralStatus.ACKNOWLEDGED)
    Referral.objects.filter(pk=referral.pk).update(acknowledged_on=TODAY)
    referral.refresh_from_db()
    done = referrals.referral_agree(
        referral=referral,
        agreed_on=TODAY,
        reviewing_panel=ReviewingPanel.THEIRS,
        how_told="They send us their panel's conclusions.",
        by=cdop_member,
    )
    death = ChildDeath.objects.get(pk=done.death_id)
    assert death.status == DeathStatus.ELSEWHERE
    assert death.reviewing_area == other_area()
    assert done.reviewing_panel == ReviewingPanel.THEIRS
    assert done.how_told == "They send us their panel's conclusions."


def test_when_our_panel_reviews_the_case_is_ours(board, cdop_member):
    referral = answered(outbound(died_on=DIED), to=ReferralStatus.ACKNOWLEDGED)
    referrals.referral_agree(
        referral=referral,
        agreed_on=TODAY,
        reviewing_panel=ReviewingPanel.OURS,
        how_told="We send them our conclusions.",
        by=cdop_member,
    )
    death = ChildDeath.objects.get(pk=referral.death_id)
    assert death.status == DeathStatus.NOTIFIED
    assert death.reviewing_area == home_area()


def test_a_closed_case_is_not_handed_over_nor_a_handed_over_one_taken_back(board, cdop_member):
    closed = answered(outbound(died_on=DIED, status=DeathStatus.CLOSED), to="acknowledged")
    with pytest.raises(ValidationError) as error:
        referrals.referral_agree(
            referral=closed,
            agreed_on=TODAY,
            reviewing_panel=ReviewingPanel.THEIRS,
            how_told="Email",
            by=cdop_member,
        )
    assert "is closed" in messages_of(error.value, "reviewing_panel")
    elsewhere = answered(outbound(died_on=DIED, status=DeathStatus.ELSEWHERE), to="acknowledged")
    with pytest.raises(ValidationError) as error:
        referrals.referral_agree(
            referral=elsewhere,
            agreed_on=TODAY,
            reviewing_panel=ReviewingPanel.OURS,
            how_told="Email",
            by=cdop_member,
        )
    assert "cannot be taken back" in messages_of(error.value, "reviewing_panel")


def test_a_stale_referral_is_refused_with_a_message(board, cdop_member):
    referral = outbound(died_on=DIED)
    Referral.objects.filter(pk=referral.pk).update(
        status=ReferralStatus.ACKNOWLEDGED, acknowledged_on=TODAY
    )
    with pytest.raises(ValidationError) as error:
        referrals.referral_acknowledge(referral=referral, acknowledged_on=TODAY, by=cdop_member)
    assert "already recorded on 10 March 2027" in messages_of(error.value)


def test_only_the_panel_team_records_a_step(board, member):
    with pytest.raises(PermissionDenied):
        referrals.referral_acknowledge(referral=outbound(), acknowledged_on=TODAY, by=member)


# The reminder engine ----------------------------------------------------------------------


def test_the_coordinator_is_chased_about_an_unanswered_step_by_reference_and_area(
    board, cdop_member, coordinator
):
    referral = referrals.referral_record_inbound(by=cdop_member, **inbound_data())
    due = referral.next_step_due
    mail.outbox.clear()
    reminders_send(today=due + datetime.timedelta(days=1))
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [coordinator.email]
    body = email.body + "".join(str(a[0]) for a in email.alternatives)
    assert referral.death.reference in body
    assert "Bedford Borough" in body
    assert "cross-area referral step" in body
    assert f"/cdop/referrals/{referral.pk}/" in body
    for detail in ("Maisie", "O'Connor", escape("O'Connor"), "9434765919"):
        assert detail not in body
    assert ", sent" in body
    # Answered: the ladder starts again for the step now awaited (the panels' agreement, due
    # 17 March), and the acknowledgement is not chased again.
    referrals.referral_acknowledge(referral=referral, acknowledged_on=TODAY, by=cdop_member)
    referral.refresh_from_db()
    assert referral.next_step_due == datetime.date(2027, 3, 17)
    assert referral.reminder_last_sent is None
    mail.outbox.clear()
    reminders_send(today=datetime.date(2027, 3, 18))
    assert len(mail.outbox) == 1
    assert ", acknowledged" in mail.outbox[0].body
    assert ", sent" not in mail.outbox[0].body


def test_nobody_is_chased_once_the_outcome_is_reported(board, cdop_member, coordinator):
    referral = answered(outbound(died_on=DIED), to=ReferralStatus.AGREED)
    referrals.referral_report_outcome(
        referral=referral, reported_on=TODAY, note="Done", by=cdop_member
    )
    mail.outbox.clear()
    reminders_send(today=TODAY + datetime.timedelta(days=60))
    assert mail.outbox == []


def test_an_inbound_referral_refuses_a_stillbirth_or_an_adult_as_the_notification_forms_do(
    board, cdop_member
):
    with pytest.raises(ValidationError) as error:
        referrals.referral_record_inbound(by=cdop_member, **inbound_data(born_alive=False))
    assert error.value.message_dict["born_alive"] == [deaths.STILLBIRTH_MESSAGE]
    born = datetime.date(2008, 3, 1)
    with pytest.raises(ValidationError) as error:
        referrals.referral_record_inbound(by=cdop_member, **inbound_data(date_of_birth=born))
    assert error.value.message_dict["date_of_birth"] == [
        deaths.adult_message(born=born, died=DIED, years=19)
    ]
    assert not ChildDeath.objects.exists()


def test_an_inbound_death_is_derived_and_referenced_as_a_notified_one_is(board, cdop_member):
    referral = referrals.referral_record_inbound(by=cdop_member, **inbound_data())
    death = referral.death
    for field, value in deaths.derived_fields(BORN, DIED).items():
        assert getattr(death, field) == value, field
    assert death.reference == deaths.death_reference(death, TODAY) == f"CDOP-2027-{death.pk:05d}"
    assert death.name_key == "maisie|o'connor"
    assert death.status == DeathStatus.NOTIFIED
