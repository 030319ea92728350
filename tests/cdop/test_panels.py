"""The Child Death Overview Panel on its dashboard: the open cases by status (a chart with its
table) and the referrals awaiting an answer, overdue ones in red. References only, never a
child; nothing on the board dashboard; nothing when there is nothing; fixed query counts."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from cdop import panels
from cdop.models import DeathStatus, Direction, ReferralStatus
from hscb.models import GroupFunction, MembershipRole
from tests.cdop.factories import ChildDeathFactory, ReferralFactory, other_area
from tests.hscb.factories import MembershipFactory

pytestmark = pytest.mark.django_db

BOARD_URL = "/dashboard/"
CDOP_URL = "/board/child-death-overview-panel/dashboard/"
TODAY = datetime.date(2027, 3, 10)  # a Wednesday


@pytest.fixture(autouse=True)
def wednesday():
    with time_machine.travel(
        timezone.make_aware(datetime.datetime.combine(TODAY, datetime.time(9))), tick=False
    ):
        yield


@pytest.fixture
def panel_chair(board):
    return MembershipFactory(
        group=board[GroupFunction.CHILD_DEATH_OVERVIEW], role=MembershipRole.CHAIR
    ).user


def test_the_panels_dashboard_charts_open_cases_and_lists_referrals_awaited(client, panel_chair):
    notified = ChildDeathFactory(last_name="O'Brien", first_name="Niamh")
    ChildDeathFactory(status=DeathStatus.GATHERING)
    ChildDeathFactory(status=DeathStatus.CLOSED)
    late = ReferralFactory(next_step_due=TODAY - datetime.timedelta(days=3))
    soon = ReferralFactory(
        direction=Direction.INBOUND,
        death=ChildDeathFactory(place_area=other_area("Luton")),
        other_area=other_area("Luton"),
        next_step_due=TODAY + datetime.timedelta(days=2),
    )
    done = ReferralFactory(
        status=ReferralStatus.OUTCOME_REPORTED,
        death=ChildDeathFactory(residence_area=other_area("Barnet")),
        other_area=other_area("Barnet"),
        next_step_due=None,
    )
    client.force_login(panel_chair)
    text = client.get(CDOP_URL).content.decode()
    assert "Child deaths" in text
    assert "Open child death cases by status" in text
    assert "/cdop/?status=gathering" in text
    assert "5 open cases" in text
    assert "2 referrals awaiting a step" in text
    assert "<strong>1 overdue</strong>" in text
    assert late.death.reference in text
    assert soon.death.reference in text
    assert done.death.reference not in text
    assert "Overdue by 3 working days" in text
    assert "govuk-tag--red" in text
    assert "2 working days left" in text
    for name in ("Niamh", escape(notified.last_name), notified.last_name):
        assert name not in text


def test_the_chart_counts_each_open_status_and_leaves_out_closed_cases(board, secretariat):
    for status, n in [
        (DeathStatus.NOTIFIED, 2),
        (DeathStatus.REVIEW_MEETING, 1),
        (DeathStatus.CLOSED, 3),
        (DeathStatus.ELSEWHERE, 1),
    ]:
        ChildDeathFactory.create_batch(n, status=status)
    panel = panels.panel_cases(secretariat, board[GroupFunction.CHILD_DEATH_OVERVIEW], TODAY)
    assert panel.data.open_total == 3
    assert {row.url.split("=")[1]: row.values[0] for row in panel.data.chart.rows} == {
        DeathStatus.NOTIFIED: 2,
        DeathStatus.GATHERING: 0,
        DeathStatus.REVIEW_MEETING: 1,
        DeathStatus.PANEL: 0,
    }


def test_the_panel_is_left_out_when_there_is_nothing(client, panel_chair):
    ChildDeathFactory(status=DeathStatus.CLOSED)
    client.force_login(panel_chair)
    assert "Open child death cases by status" not in client.get(CDOP_URL).content.decode()


def test_the_panel_is_only_on_the_panels_own_dashboard_and_for_the_panel_team(
    board, secretariat, board_chair, group_chair
):
    ChildDeathFactory()
    cdop = board[GroupFunction.CHILD_DEATH_OVERVIEW]
    assert panels.panel_cases(secretariat, cdop, TODAY) is not None
    assert panels.panel_cases(secretariat, board[GroupFunction.AUDIT], TODAY) is None
    assert panels.panel_cases(board_chair, cdop, TODAY) is None
    assert panels.panel_cases(group_chair, cdop, TODAY) is None


def test_nothing_of_the_panels_cases_is_on_the_board_dashboard(client, board_chair, secretariat):
    death = ChildDeathFactory()
    referral = ReferralFactory(next_step_due=TODAY - datetime.timedelta(days=1))
    for user in (board_chair, secretariat):
        client.force_login(user)
        text = client.get(BOARD_URL).content.decode()
        assert death.reference not in text
        assert referral.death.reference not in text
        assert "Open child death cases by status" not in text


def _grow(n: int) -> None:
    for i in range(n):
        ChildDeathFactory(status=DeathStatus.GATHERING)
        ReferralFactory(next_step_due=TODAY - datetime.timedelta(days=i))


def test_the_panel_runs_a_fixed_number_of_queries(
    client, panel_chair, django_assert_max_num_queries
):
    _grow(2)
    client.force_login(panel_chair)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(CDOP_URL).status_code == 200
    _grow(15)
    with django_assert_max_num_queries(len(captured)):
        text = client.get(CDOP_URL).content.decode()
    assert "The 10 due soonest." in text
