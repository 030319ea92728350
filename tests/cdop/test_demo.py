"""The demonstration child deaths: written through the services at every stage of the panel's
work and in the two years before (so the statistics show trends), made once (loading the
demonstration again adds none of them twice), and the emails they send name no child, except
the referrals to the other areas' panels."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from cdop.models import (
    AgencyInformation,
    ChildDeath,
    DeathStatus,
    Direction,
    Expectation,
    Factor,
    Modifiable,
    NotifiedVia,
    PanelRecommendation,
    Referral,
    ReferralStatus,
    ReviewingPanel,
)
from cdop.selectors.statistics import statistics_for
from hscb.demo import demo_load
from hscb.demo.people import ROLE_USERS
from hscb.lib.nhs import is_valid_nhs_number
from hscb.models import Area, GroupFunction, Meeting

pytestmark = pytest.mark.django_db

PHRASE = "23 child deaths (six recent ones at every stage, and two earlier years' reviews)"


def _load(capture) -> object:
    # The services queue their emails for when the demonstration's transaction commits.
    with capture(execute=True):
        return demo_load(password="demo-password-1")


def _by_name() -> dict[str, ChildDeath]:
    return {
        f"{d.first_name} {d.last_name}": d
        for d in ChildDeath.objects.select_related(
            "notifier", "panel_meeting", "reviewing_area", "residence_area", "place_area"
        )
    }


def test_the_demonstration_makes_a_death_at_every_stage_once(
    board, mailoutbox, django_capture_on_commit_callbacks
):
    report = _load(django_capture_on_commit_callbacks)

    assert PHRASE in report.created_by_apps
    today = timezone.localdate()
    deaths = _by_name()
    assert len(deaths) == 23
    home = Area.objects.get(is_home=True)

    # Just notified by the agency staff account: unexpected, its joint agency response recorded.
    just = deaths["Leo Hartington"]
    assert just.status == DeathStatus.NOTIFIED
    assert just.via == NotifiedVia.ACCOUNT
    assert just.notifier.email == ROLE_USERS["agency staff"].address
    assert just.expectation == Expectation.UNEXPECTED
    assert just.jar_started_on == just.died_on and just.jar_lead and just.jar_summary

    # Gathering information: three agencies asked, one has answered.
    gathering = deaths["Chloe Abernethy"]
    assert gathering.status == DeathStatus.GATHERING
    reports = list(gathering.agency_reports.select_related("agency"))
    assert len(reports) == 3
    assert [r.agency.short_name for r in reports if r.received_on] == ["Police"]

    # Neonatal and expected, listed for the panel's next meeting.
    baby = deaths["Baby Okonkwo"]
    assert baby.is_neonatal and baby.band == "neonatal"
    assert baby.expectation == Expectation.EXPECTED
    assert baby.status == DeathStatus.PANEL and baby.review_meeting_on is not None
    assert baby.panel_meeting.group.function == GroupFunction.CHILD_DEATH_OVERVIEW
    assert baby.panel_meeting.starts_at > timezone.now()

    # Reviewed and closed at the panel's last meeting (the core demonstration's).
    closed = deaths["Alfie Brightwell"]
    assert closed.status == DeathStatus.CLOSED
    review = closed.review
    assert review.category.number == 10 and review.modifiable == Modifiable.YES
    assert review.closed_on == timezone.localdate(closed.panel_meeting.starts_at)
    assert closed.panel_meeting.starts_at < timezone.now()
    domains = sorted(review.factors.values_list("domain", flat=True))
    assert domains == ["family", "services"]
    recommendation = PanelRecommendation.objects.get(review=review)
    action = recommendation.action
    assert action is not None and action.group.function == GroupFunction.CHILD_DEATH_OVERVIEW
    assert action.owner.email == ROLE_USERS["CDOP panel member"].address
    assert "Brightwell" not in action.title and "Alfie" not in action.description

    # Lived in Luton, died here: referred out, acknowledged and agreed that Luton's panel reviews.
    luton = Area.objects.get(name="Luton")
    assert luton.cdop_email.endswith(".example")
    out = deaths["Nathan Kowalczyk"]
    assert out.status == DeathStatus.ELSEWHERE and out.reviewing_area == luton
    referral = Referral.objects.get(death=out)
    assert referral.direction == Direction.OUTBOUND and referral.other_area == luton
    assert referral.status == ReferralStatus.AGREED
    assert referral.reviewing_panel == ReviewingPanel.THEIRS
    assert referral.acknowledged_on and referral.agreed_on and referral.emailed_at
    assert referral.next_step_due is not None and referral.reminder_next_on is not None

    # Lived here, died in Cambridgeshire: recorded from that panel, awaiting our acknowledgement.
    inbound = deaths["Evie Castellano"]
    assert inbound.via == NotifiedVia.OTHER_PANEL
    assert inbound.residence_area == home and inbound.place_area.name == "Cambridgeshire"
    received = Referral.objects.get(death=inbound)
    assert (received.direction, received.status) == (Direction.INBOUND, ReferralStatus.SENT)

    # The two years before: reviewed and closed, every year with its deaths and reviews, and a
    # referral each way taken to its end.
    stats = statistics_for(year=today.year - 1)
    for year in (today.year - 2, today.year - 1):
        assert stats.counts[year].deaths >= 7
        assert stats.counts[year].reviews >= 7
        assert len(stats.counts[year].reviews_by_category) >= 4
    assert stats.counts[today.year - 1].reviews_by_modifiable[Modifiable.YES] >= 2
    done = Referral.objects.filter(status=ReferralStatus.OUTCOME_REPORTED)
    assert sorted(done.values_list("direction", "reviewing_panel")) == [
        (Direction.INBOUND, ReviewingPanel.OURS),
        (Direction.OUTBOUND, ReviewingPanel.THEIRS),
    ]
    assert all(r.reminder_next_on is None for r in done)
    older = Meeting.objects.filter(
        group__function=GroupFunction.CHILD_DEATH_OVERVIEW,
        starts_at__lt=timezone.make_aware(datetime.datetime(today.year, 1, 1)),
    )
    assert older.count() == 8
    assert ChildDeath.objects.filter(status=DeathStatus.CLOSED).count() == 17

    for death in deaths.values():
        assert is_valid_nhs_number(death.nhs_number)
        assert death.nhs_number.startswith("999")
        assert death.reference.startswith("CDOP-")

    # Loading again adds nothing.
    counts = (
        ChildDeath.objects.count(),
        Referral.objects.count(),
        Factor.objects.count(),
        AgencyInformation.objects.count(),
        Meeting.objects.count(),
    )
    again = demo_load(password="demo-password-1")
    assert PHRASE not in again.created_by_apps
    assert (
        ChildDeath.objects.count(),
        Referral.objects.count(),
        Factor.objects.count(),
        AgencyInformation.objects.count(),
        Meeting.objects.count(),
    ) == counts


def test_the_demonstration_emails_name_no_child_but_to_the_other_panel(
    board, mailoutbox, django_capture_on_commit_callbacks
):
    _load(django_capture_on_commit_callbacks)

    deaths = list(ChildDeath.objects.all())
    names = {name for d in deaths for name in (d.first_name, d.last_name) if name != "Baby"}
    numbers = {d.nhs_number for d in deaths}
    referrals = [m for m in mailoutbox if m.to[0].endswith("-cdop.example")]
    # Luton's and Central Bedfordshire's panels were each sent their child's details.
    assert sorted(m.to[0] for m in referrals) == [
        "child.deaths@central-bedfordshire-cdop.example",
        "child.deaths@luton-cdop.example",
    ]
    luton = next(m for m in referrals if "luton" in m.to[0])
    assert "Kowalczyk" in luton.body
    others = [m for m in mailoutbox if m not in referrals]
    subjects = {m.subject for m in others}
    assert len(others) > len(deaths)  # the coordinator told of each, receipts, an action
    assert any(ChildDeath.objects.get(last_name="Hartington").reference in s for s in subjects)
    for message in others:
        text = " ".join([message.subject, message.body, *(str(a[0]) for a in message.alternatives)])
        for name in names:
            assert name not in text, f"{name!r} is in the email {message.subject!r}"
        for number in numbers:
            assert number not in text
