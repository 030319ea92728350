"""Notifying a death, in the service: what is saved and derived, each rule refused (nothing
saved), duplicates flagged, the outbound referral and its email, and the emails to the panel
and the notifier (never the child's details, except to the other panel)."""

from __future__ import annotations

import datetime
import logging
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cdop.models import (
    AgeBand,
    ChildDeath,
    DeathDuplicate,
    DeathStatus,
    Direction,
    MatchReason,
    NotifiedVia,
    Referral,
    ReferralStatus,
)
from cdop.services import deaths as services
from cdop.tasks.notify import send_death_referral
from hscb.models import Area, GroupFunction, MembershipRole
from tests.cdop.factories import ChildDeathFactory, home_area, other_area
from tests.hscb.factories import AgencyFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
VALID_NHS = "9434765919"
WRONG_CHECK_DIGIT = "4857773456"


def today() -> datetime.date:
    return timezone.localdate()


def days_ago(n: int) -> datetime.date:
    return today() - datetime.timedelta(days=n)


def birthday(born_years_ago: int, on: datetime.date) -> datetime.date:
    """The day `born_years_ago` years before `on` (28 February for 29 February)."""
    try:
        return on.replace(year=on.year - born_years_ago)
    except ValueError:
        return on.replace(year=on.year - born_years_ago, day=28)


def child_data(**changes) -> dict:
    """What the service takes from the signed-in form: a valid notification."""
    data = {
        "born_alive": True,
        "first_name": "Amelia",
        "last_name": "O'Brien",
        "nhs_number": "943 476 5919",
        "date_of_birth": birthday(6, days_ago(3)) - datetime.timedelta(days=40),
        "sex": "female",
        "ethnicity": "white_irish",
        "died_on": days_ago(3),
        "died_at_time": datetime.time(14, 30),
        "place_area": home_area(),
        "place_setting": "hospital",
        "place_detail": "Lister Hospital, children's ward",
        "residence_area": home_area(),
        "looked_after": False,
        "looked_after_by": None,
        "expectation": "unexpected",
        "circumstances": "Collapsed at school and could not be revived.",
        "notifier_role": "Consultant paediatrician",
        "notifier_phone": "01632 960 001",
    }
    data.update(changes)
    return data


def public_data(**changes) -> dict:
    data = child_data(
        notifier_name="Dr Priya Shah",
        notifier_agency=None,
        notifier_organisation="Private ambulance service",
        notifier_email="Priya.Shah@Ambulance.example",
    )
    data.update(changes)
    return data


def coordinator(board):
    return MembershipFactory(
        group=board[GroupFunction.CHILD_DEATH_OVERVIEW],
        role=MembershipRole.SECRETARIAT,
        user=UserFactory(email="coordinator@board.example"),
    ).user


def notify(by, **changes) -> ChildDeath:
    return services.death_notify(via=NotifiedVia.ACCOUNT, by=by, data=child_data(**changes))


def refused(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        call()
    assert not ChildDeath.objects.exists()
    assert not Referral.objects.exists()
    return caught.value.message_dict


# What is saved -------------------------------------------------------------------------------


def test_a_signed_in_notification_takes_the_notifier_from_their_account(agency_staff):
    death = notify(agency_staff)
    death.refresh_from_db()
    assert death.via == NotifiedVia.ACCOUNT
    assert death.status == DeathStatus.NOTIFIED
    assert death.notifier == agency_staff
    assert death.notifier_name == agency_staff.get_full_name()
    assert death.notifier_email == agency_staff.email
    assert death.notifier_agency == agency_staff.agency
    assert death.notifier_role == "Consultant paediatrician"
    assert death.notifier_phone == "01632 960 001"


def test_the_notifiers_account_details_cannot_be_overridden_by_the_data(agency_staff):
    death = notify(agency_staff, notifier_name="Someone else", notifier_email="other@example.org")
    assert death.notifier_name == agency_staff.get_full_name()
    assert death.notifier_email == agency_staff.email


def test_the_reference_is_the_year_and_the_row_number(agency_staff):
    death = notify(agency_staff)
    assert death.reference == f"CDOP-{today().year}-{death.pk:05d}"
    assert ChildDeath.objects.get(reference=death.reference) == death


def test_the_nhs_number_is_stored_as_its_ten_digits_and_the_names_keyed(agency_staff):
    death = notify(agency_staff, nhs_number=" 943-476 5919 ", first_name="  Zoë ")
    assert death.nhs_number == VALID_NHS
    assert death.first_name == "Zoë"
    assert death.name_key == "zoë|o'brien"


def test_the_death_is_ours_to_review_when_the_child_lived_here(agency_staff):
    death = notify(agency_staff, place_area=other_area("Bedford Borough"))
    assert death.reviewing_area == home_area()
    assert not Referral.objects.exists()


def test_a_public_notification_keeps_the_notifier_as_typed(board):
    death = services.death_notify(via=NotifiedVia.PUBLIC_FORM, data=public_data())
    assert death.via == NotifiedVia.PUBLIC_FORM
    assert death.notifier is None
    assert death.notifier_name == "Dr Priya Shah"
    assert death.notifier_organisation == "Private ambulance service"
    assert death.notifier_agency is None
    assert death.notifier_email == "priya.shah@ambulance.example"


def test_a_public_notifier_may_pick_their_agency_from_the_list(board):
    agency = AgencyFactory(name="East and North Herts NHS Trust")
    death = services.death_notify(
        via=NotifiedVia.PUBLIC_FORM,
        data=public_data(notifier_agency=agency, notifier_organisation=""),
    )
    assert death.notifier_agency == agency


def test_a_public_notifier_must_name_their_organisation(board):
    errors = refused(
        lambda: services.death_notify(
            via=NotifiedVia.PUBLIC_FORM,
            data=public_data(notifier_agency=None, notifier_organisation="  "),
        )
    )
    assert errors["notifier_agency"] == [services.AGENCY_OR_ORGANISATION]


def test_a_public_notifier_cannot_name_an_agency_that_no_longer_takes_part(board):
    closed = AgencyFactory(name="Closed trust", is_active=False)
    errors = refused(
        lambda: services.death_notify(
            via=NotifiedVia.PUBLIC_FORM, data=public_data(notifier_agency=closed)
        )
    )
    assert "notifier_agency" in errors


def test_someone_without_an_agency_cannot_notify_signed_in(outsider):
    with pytest.raises(PermissionDenied):
        notify(outsider)
    assert not ChildDeath.objects.exists()


def test_every_missing_answer_is_named(board):
    errors = refused(lambda: services.death_notify(via=NotifiedVia.PUBLIC_FORM, data={}))
    assert set(errors) >= {
        "born_alive",
        "first_name",
        "last_name",
        "date_of_birth",
        "sex",
        "ethnicity",
        "died_on",
        "place_area",
        "place_setting",
        "residence_area",
        "looked_after",
        "expectation",
        "notifier_name",
        "notifier_role",
        "notifier_agency",
        "notifier_email",
        "notifier_phone",
    }


# Derived -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_old", "neonatal", "band"),
    [(0, True, AgeBand.NEONATAL), (27, True, AgeBand.NEONATAL), (28, False, AgeBand.INFANT)],
)
def test_neonatal_is_under_28_days(agency_staff, days_old, neonatal, band):
    died = days_ago(1)
    death = notify(
        agency_staff, died_on=died, date_of_birth=died - datetime.timedelta(days=days_old)
    )
    assert death.age_days == days_old
    assert death.age_years == 0
    assert death.is_neonatal is neonatal
    assert death.band == band


def test_a_child_of_17_years_and_364_days_is_in_scope(agency_staff):
    died = days_ago(1)
    born = birthday(18, died) + datetime.timedelta(days=1)
    death = notify(agency_staff, died_on=died, date_of_birth=born)
    assert death.age_years == 17
    assert death.band == AgeBand.AGE_15_17
    assert not death.is_neonatal


@pytest.mark.parametrize(
    ("years", "band"), [(1, AgeBand.AGE_1_4), (9, AgeBand.AGE_5_9), (14, AgeBand.AGE_10_14)]
)
def test_the_age_band_is_derived(agency_staff, years, band):
    died = days_ago(2)
    death = notify(agency_staff, died_on=died, date_of_birth=birthday(years, died))
    assert death.age_years == years
    assert death.band == band


# The rules -----------------------------------------------------------------------------------


def test_a_death_before_birth_is_refused(agency_staff):
    errors = refused(lambda: notify(agency_staff, died_on=days_ago(10), date_of_birth=days_ago(9)))
    assert errors["died_on"] == [
        "The date of death must be the same as or after the date of birth "
        f"({days_ago(9).day} {days_ago(9):%B %Y})"
    ]


def test_a_death_on_the_day_of_birth_is_in_scope(agency_staff):
    death = notify(agency_staff, died_on=days_ago(1), date_of_birth=days_ago(1))
    assert death.age_days == 0


def test_a_date_of_death_in_the_future_is_refused(agency_staff):
    errors = refused(lambda: notify(agency_staff, died_on=today() + datetime.timedelta(days=1)))
    assert errors["died_on"] == ["The date of death must be today or in the past"]


def test_a_date_of_birth_in_the_future_is_refused(agency_staff):
    errors = refused(
        lambda: notify(agency_staff, date_of_birth=today() + datetime.timedelta(days=1))
    )
    assert errors["date_of_birth"] == ["The date of birth must be today or in the past"]


def test_a_death_today_is_in_scope(agency_staff):
    with time_machine.travel(datetime.datetime(2027, 3, 10, 16, tzinfo=LONDON), tick=False):
        assert notify(agency_staff, died_on=today()).died_on == today()


def test_a_time_of_death_later_today_is_refused(agency_staff):
    with time_machine.travel(datetime.datetime(2027, 3, 10, 10, 15, tzinfo=LONDON), tick=False):
        errors = refused(
            lambda: notify(agency_staff, died_on=today(), died_at_time=datetime.time(10, 16))
        )
        assert errors == {"died_at_time": ["The time of death must be in the past"]}


@pytest.mark.parametrize(
    ("died", "at"),
    [
        (datetime.date(2027, 3, 10), datetime.time(10, 15)),
        (datetime.date(2027, 3, 10), datetime.time(0, 5)),
        (datetime.date(2027, 3, 9), datetime.time(23, 59)),
        (datetime.date(2027, 3, 10), None),
    ],
)
def test_a_time_of_death_earlier_today_or_on_an_earlier_day_is_accepted(agency_staff, died, at):
    with time_machine.travel(datetime.datetime(2027, 3, 10, 10, 15, tzinfo=LONDON), tick=False):
        death = notify(agency_staff, died_on=died, died_at_time=at)
    assert (death.died_on, death.died_at_time) == (died, at)


def test_a_person_18_or_over_is_refused_with_where_to_go_instead(agency_staff):
    died = days_ago(1)
    errors = refused(lambda: notify(agency_staff, died_on=died, date_of_birth=birthday(18, died)))
    (message,) = errors["date_of_birth"]
    assert "only for the death of a child under 18" in message
    assert "was 18 when they died" in message
    assert "coroner" in message
    assert "safeguarding adults review" in message


def test_a_stillbirth_is_refused_with_where_it_goes_instead(agency_staff):
    errors = refused(lambda: notify(agency_staff, born_alive=False))
    (message,) = errors["born_alive"]
    assert "not reviewed by a child death overview panel" in message
    assert "Perinatal Mortality Review Tool" in message
    assert "local maternity and neonatal system" in message
    assert "maternity unit" in message


@pytest.mark.parametrize(
    ("number", "message"),
    [
        (WRONG_CHECK_DIGIT, "Enter a valid NHS number"),
        ("12345", "NHS number must be 10 digits"),
        ("94347659l9", "NHS number must only include numbers"),
    ],
)
def test_an_invalid_nhs_number_is_refused(agency_staff, number, message):
    errors = refused(lambda: notify(agency_staff, nhs_number=number))
    assert errors["nhs_number"][0].startswith(message)


def test_an_nhs_number_is_optional(agency_staff):
    assert notify(agency_staff, nhs_number="").nhs_number == ""


def test_both_areas_elsewhere_is_refused_naming_the_panel_to_tell(agency_staff):
    bedford = other_area("Bedford Borough")
    errors = refused(
        lambda: notify(agency_staff, residence_area=bedford, place_area=other_area("Milton Keynes"))
    )
    (message,) = errors["place_area"]
    assert "This death is not for this panel" in message
    assert "Bedford Borough Child Death Overview Panel (cdop@bedford-borough.example)" in message


def test_a_looked_after_child_of_ours_who_lived_and_died_elsewhere_is_accepted(agency_staff):
    death = notify(
        agency_staff,
        residence_area=other_area("Bedford Borough"),
        place_area=other_area("Milton Keynes"),
        looked_after=True,
        looked_after_by=home_area(),
    )
    assert death.looked_after_by == home_area()
    assert death.reviewing_area == home_area()
    assert not Referral.objects.exists()


def test_a_looked_after_child_needs_the_authority(agency_staff):
    errors = refused(lambda: notify(agency_staff, looked_after=True, looked_after_by=None))
    assert errors["looked_after_by"] == [services.LOOKED_AFTER_BY_MISSING]


def test_an_authority_for_a_child_not_looked_after_is_refused(agency_staff):
    errors = refused(lambda: notify(agency_staff, looked_after=False, looked_after_by=home_area()))
    assert errors["looked_after_by"] == [services.LOOKED_AFTER_BY_NOT_ASKED]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("first_name", "x" * 101, "The first name must be 100 characters or fewer"),
        ("circumstances", "x" * 10001, "The known circumstances must be 10,000 characters"),
        ("last_name", "O'Br\x00ien", "The last name must not contain null characters"),
        ("sex", "dragon", "Select the child's sex"),
        ("place_setting", "moon", "Select where the child died"),
        ("notifier_phone", "call me", "Enter a telephone number"),
        ("date_of_birth", "2020-01-01", "Enter a real date"),
        ("died_on", datetime.datetime(2026, 1, 1, tzinfo=LONDON), "Enter a real date"),
        ("died_at_time", "14:30", "Enter a real time"),
        ("place_area", 1, "Select the area from the list"),
        ("looked_after", "no", "Select yes if the child was looked after"),
        ("first_name", 42, "Enter the child's first name"),
    ],
)
def test_answers_of_the_wrong_kind_or_size_are_refused(agency_staff, field, value, message):
    errors = refused(lambda: notify(agency_staff, **{field: value}))
    assert errors[field][0].startswith(message)


def test_a_public_notifiers_email_must_be_an_address(board):
    errors = refused(
        lambda: services.death_notify(
            via=NotifiedVia.PUBLIC_FORM, data=public_data(notifier_email="not an address")
        )
    )
    assert errors["notifier_email"] == [services.EMAIL_MESSAGE]


# Duplicates ----------------------------------------------------------------------------------


def test_an_earlier_death_with_the_same_nhs_number_is_flagged(agency_staff):
    earlier = ChildDeathFactory(nhs_number=VALID_NHS, first_name="Someone", last_name="Else")
    death = notify(agency_staff)
    flag = DeathDuplicate.objects.get()
    assert (flag.death, flag.match, flag.reason) == (death, earlier, MatchReason.NHS_NUMBER)


def test_the_same_names_and_date_of_birth_are_flagged_without_an_nhs_number(agency_staff):
    data = child_data()
    earlier = ChildDeathFactory(
        first_name="AMELIA", last_name="o'brien  ", date_of_birth=data["date_of_birth"]
    )
    earlier.name_key = "amelia|o'brien"
    earlier.save()
    death = notify(agency_staff, nhs_number="")
    flag = DeathDuplicate.objects.get()
    assert (flag.death, flag.match, flag.reason) == (death, earlier, MatchReason.NAME_AND_DOB)


def test_a_different_child_is_not_flagged(agency_staff):
    ChildDeathFactory(first_name="Amelia", last_name="O'Brien", nhs_number="")
    notify(agency_staff, date_of_birth=days_ago(400))
    assert not DeathDuplicate.objects.exists()


def test_a_possible_duplicate_is_accepted_through_the_public_form(board):
    ChildDeathFactory(nhs_number=VALID_NHS)
    death = services.death_notify(via=NotifiedVia.PUBLIC_FORM, data=public_data())
    assert death.pk
    assert DeathDuplicate.objects.filter(death=death).count() == 1


# Cross-area: the outbound referral ------------------------------------------------------------


def test_a_child_who_lived_elsewhere_and_died_here_is_referred_out(
    board, agency_staff, django_capture_on_commit_callbacks
):
    person = coordinator(board)
    bedford = other_area("Bedford Borough")
    # Christmas Eve 2026: five working days on is 5 January 2027 (bank holidays on 25 and 28
    # December and 1 January).
    christmas_eve = datetime.datetime(2026, 12, 24, 10, tzinfo=LONDON)
    with (
        time_machine.travel(christmas_eve, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        death = notify(agency_staff, residence_area=bedford, died_on=datetime.date(2026, 12, 23))
    referral = Referral.objects.get()
    assert referral.death == death
    assert referral.direction == Direction.OUTBOUND
    assert referral.other_area == bedford
    assert referral.status == ReferralStatus.SENT
    assert referral.sent_on == datetime.date(2026, 12, 24)
    assert referral.next_step_due == datetime.date(2027, 1, 5)
    assert referral.owner == person
    assert referral.group == board[GroupFunction.CHILD_DEATH_OVERVIEW]
    assert referral.reminder_next_on is not None
    assert referral.emailed_at is not None
    assert death.reviewing_area == bedford
    assert death.reference.startswith("CDOP-2026-")

    (email,) = [m for m in mail.outbox if m.to == ["cdop@bedford-borough.example"]]
    assert death.reference in email.subject
    assert "Amelia" not in email.subject
    body = email.body
    assert death.reference in body
    assert "Amelia O'Brien" in body
    assert "23 December 2026" in body
    assert f"{death.date_of_birth.day} {death.date_of_birth:%B %Y}" in body
    assert agency_staff.get_full_name() in body
    assert agency_staff.email in body
    assert "01632 960 001" in body
    # Only what the other panel needs to identify the child: not the circumstances, not the
    # NHS number.
    assert "Collapsed at school" not in body
    assert VALID_NHS not in body
    assert "Collapsed at school" not in email.alternatives[0][0]


def test_without_a_coordinator_the_panels_chair_is_chased_about_a_referral(board, agency_staff):
    chair = MembershipFactory(
        group=board[GroupFunction.CHILD_DEATH_OVERVIEW], role=MembershipRole.CHAIR
    ).user
    notify(agency_staff, residence_area=other_area("Bedford Borough"))
    referral = Referral.objects.get()
    assert referral.owner == chair
    assert referral.reminder_next_on is not None


def test_without_a_coordinator_or_chair_the_business_unit_is_chased_about_a_referral(
    board, agency_staff, secretariat
):
    UserFactory(email="not.staff@board.example")  # no seat, not the business unit
    later = UserFactory(email="later@board.example", is_staff=True)
    later.groups.add(*secretariat.groups.all())
    notify(agency_staff, residence_area=other_area("Bedford Borough"))
    referral = Referral.objects.get()
    assert referral.owner == secretariat
    assert referral.reminder_next_on is not None


def test_a_referral_with_nobody_to_chase_is_logged(board, agency_staff, caplog):
    with caplog.at_level(logging.WARNING, logger="cdop.services.deaths"):
        death = notify(agency_staff, residence_area=other_area("Bedford Borough"))
    assert Referral.objects.get().owner is None
    assert f"The referral of {death.reference} will not be chased" in caplog.text


def test_the_referral_email_is_sent_once_however_often_the_task_runs(
    agency_staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify(agency_staff, residence_area=other_area("Bedford Borough"))
    referral = Referral.objects.get()
    sent = len(mail.outbox)
    assert send_death_referral.delay(referral.pk).get() is False
    assert len(mail.outbox) == sent
    assert [m.to for m in mail.outbox].count(["cdop@bedford-borough.example"]) == 1


def test_a_failed_referral_email_gives_its_claim_back(agency_staff, monkeypatch):
    notify(agency_staff, residence_area=other_area("Bedford Borough"))
    referral = Referral.objects.get()

    def broken(*args, **kwargs):
        raise ConnectionError("mail server down")

    monkeypatch.setattr(services, "send_templated_email", broken)
    with pytest.raises(ConnectionError):
        services.death_referral_send(referral_pk=referral.pk)
    referral.refresh_from_db()
    assert referral.emailed_at is None
    monkeypatch.undo()
    assert services.death_referral_send(referral_pk=referral.pk) is True
    referral.refresh_from_db()
    assert referral.emailed_at is not None


def test_an_area_without_a_panel_email_gets_a_referral_but_no_email(
    agency_staff, django_capture_on_commit_callbacks, caplog
):
    luton = Area.objects.get(name="Luton")
    assert not luton.cdop_email
    with (
        caplog.at_level(logging.WARNING, logger="cdop.services.deaths"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        death = notify(agency_staff, residence_area=luton)
    referral = Referral.objects.get()
    assert referral.other_area == luton
    assert referral.emailed_at is None
    assert "no email address for Luton's panel" in caplog.text
    assert "Amelia" not in caplog.text
    assert death.reference in caplog.text
    assert all(m.to != [""] for m in mail.outbox)


def test_a_child_looked_after_by_another_authority_is_referred_to_it(
    agency_staff, django_capture_on_commit_callbacks
):
    bedford = other_area("Bedford Borough")
    with django_capture_on_commit_callbacks(execute=True):
        death = notify(agency_staff, looked_after=True, looked_after_by=bedford)
    assert death.reviewing_area == bedford
    assert Referral.objects.get().other_area == bedford
    (email,) = [m for m in mail.outbox if m.to == ["cdop@bedford-borough.example"]]
    assert "looked after by your authority" in email.body


def test_a_death_notified_by_another_panel_is_not_referred_back_out(board):
    death = services.death_notify(
        via=NotifiedVia.OTHER_PANEL,
        data=public_data(looked_after=True, looked_after_by=other_area("Bedford Borough")),
    )
    assert death.reviewing_area == other_area("Bedford Borough")
    assert not Referral.objects.exists()


# Emails to the panel and the notifier ----------------------------------------------------------


def test_the_coordinator_and_secretariat_are_told_with_the_reference_only(
    board, secretariat, agency_staff, django_capture_on_commit_callbacks
):
    person = coordinator(board)
    with django_capture_on_commit_callbacks(execute=True):
        death = notify(agency_staff)
    (email,) = [m for m in mail.outbox if person.email in m.to]
    assert sorted(email.to) == sorted([person.email, secretariat.email])
    assert death.reference in email.subject
    assert f"/cdop/deaths/{death.pk}/" in email.body
    for text in (email.subject, email.body, email.alternatives[0][0]):
        assert "Amelia" not in text
        assert "O'Brien" not in text and "O&#x27;Brien" not in text
        assert VALID_NHS not in text


def test_nobody_to_tell_is_logged_not_an_error(board, caplog):
    death = ChildDeathFactory()
    with caplog.at_level(logging.WARNING, logger="cdop.services.deaths"):
        assert services.death_notified_send(death_pk=death.pk) == 0
    assert death.reference in caplog.text


def test_a_signed_in_notifier_gets_a_receipt_without_the_childs_details(
    agency_staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        death = notify(agency_staff)
    (receipt,) = [m for m in mail.outbox if m.to == [agency_staff.email]]
    assert death.reference in receipt.subject
    assert death.reference in receipt.body
    assert "/child-deaths/" in receipt.body
    assert "Amelia" not in receipt.body and "Amelia" not in receipt.alternatives[0][0]


def test_a_public_notifier_gets_no_email(board, secretariat, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.death_notify(via=NotifiedVia.PUBLIC_FORM, data=public_data())
    assert all("priya.shah@ambulance.example" not in m.to for m in mail.outbox)
    assert [m.to for m in mail.outbox] == [[secretariat.email]]


def test_nothing_is_queued_when_a_notification_is_refused(
    agency_staff, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ValidationError),
    ):
        notify(agency_staff, born_alive=False)
    assert callbacks == []
    assert mail.outbox == []


def test_a_child_we_look_after_who_lived_elsewhere_and_died_here_is_ours_and_referred_to_their_home(
    agency_staff, django_capture_on_commit_callbacks
):
    bedford = other_area("Bedford Borough")
    with django_capture_on_commit_callbacks(execute=True):
        death = notify(
            agency_staff, residence_area=bedford, looked_after=True, looked_after_by=home_area()
        )
    assert death.reviewing_area == home_area()
    referral = Referral.objects.get()
    assert (referral.direction, referral.other_area) == (Direction.OUTBOUND, bedford)
    (email,) = [m for m in mail.outbox if m.to == ["cdop@bedford-borough.example"]]
    assert death.reference in email.body
    # It says our panel reviews, by the usual rule for a child we look after.
    assert f"was looked after by {home_area().name}, so by the usual rule our panel" in email.body
    assert "your panel reviews" not in email.body


def test_a_child_who_lived_elsewhere_is_referred_to_their_home_panel_to_review(
    agency_staff, django_capture_on_commit_callbacks
):
    bedford = other_area("Bedford Borough")
    with django_capture_on_commit_callbacks(execute=True):
        death = notify(agency_staff, residence_area=bedford)
    assert death.reviewing_area == bedford
    (email,) = [m for m in mail.outbox if m.to == ["cdop@bedford-borough.example"]]
    assert "normally lived in your area, so we are telling you" in email.body
    assert "by the usual rule your panel reviews the death" in email.body
    assert "rule our panel reviews" not in email.body
