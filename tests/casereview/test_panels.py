"""The case review panels: the Case Review subgroup's dashboard shows the statutory deadlines
running and the cases by status; the board dashboard shows the cases awaiting the board chair's
decision and the deadlines overdue. References and counts only, never a child's name; fixed
query counts; nothing shown when there is nothing to show."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from casereview import panels
from casereview.models import ClockKind, Notification, NotificationStatus
from casereview.services.clocks import clock_meet
from hscb.models import GroupFunction, MembershipRole
from tests.casereview.factories import (
    ConsiderationFactory,
    DecisionFactory,
    NotificationFactory,
)
from tests.hscb.factories import MembershipFactory

pytestmark = pytest.mark.django_db

BOARD_URL = "/dashboard/"
CASE_REVIEW_URL = "/board/case-review/dashboard/"
TODAY = datetime.date(2027, 3, 10)  # a Wednesday


@pytest.fixture(autouse=True)
def wednesday():
    with time_machine.travel(
        timezone.make_aware(datetime.datetime.combine(TODAY, datetime.time(9))), tick=False
    ):
        yield


@pytest.fixture
def case_review_chair(board):
    return MembershipFactory(group=board[GroupFunction.CASE_REVIEW], role=MembershipRole.CHAIR).user


def overdue_case(**kwargs) -> Notification:
    # Aware Monday 1 March: the national notification was due Monday 8 March.
    return NotificationFactory(aware_date=datetime.date(2027, 3, 1), **kwargs)


def names_absent(text: str, *notifications: Notification) -> None:
    for notification in notifications:
        assert escape(notification.first_name) not in text
        assert escape(notification.last_name) not in text


# The Case Review subgroup's dashboard -----------------------------------------------------------


def test_the_case_review_dashboard_lists_running_deadlines_and_charts_cases_by_status(
    client, case_review_chair
):
    late = overdue_case(last_name="O'Donnell")
    soon = NotificationFactory(aware_date=TODAY)
    ConsiderationFactory(notification=NotificationFactory(aware_date=TODAY))
    DecisionFactory()
    client.force_login(case_review_chair)
    text = client.get(CASE_REVIEW_URL).content.decode()
    assert "Statutory deadlines" in text
    assert late.reference in text
    assert soon.reference in text
    assert "Overdue by 2 working days" in text
    assert "govuk-tag--red" in text
    assert "5 working days left" in text
    assert "Serious incident notifications by status" in text
    assert escape("Awaiting the board chair's decision") in text
    assert "/case-review/?status=considered" in text
    names_absent(text, late, soon)


def test_the_case_review_panel_is_left_out_when_there_are_no_cases(client, case_review_chair):
    client.force_login(case_review_chair)
    assert "Statutory deadlines" not in client.get(CASE_REVIEW_URL).content.decode()


def test_the_case_review_panel_is_only_on_its_own_dashboard(board, secretariat):
    overdue_case()
    today = TODAY
    assert panels.group_clocks(secretariat, board[GroupFunction.CASE_REVIEW], today) is not None
    assert panels.group_clocks(secretariat, board[GroupFunction.AUDIT], today) is None


def test_met_and_merged_deadlines_are_not_on_the_case_review_panel(board, secretariat):
    met = overdue_case()
    clock_meet(notification=met, kind=ClockKind.PANEL_NOTIFICATION, on=TODAY)
    merged = overdue_case()
    Notification.objects.filter(pk=merged.pk).update(status=NotificationStatus.MERGED)
    panel = panels.group_clocks(secretariat, board[GroupFunction.CASE_REVIEW], TODAY)
    assert panel.data.clocks == []
    assert panel.data.running_total == 0
    assert panel.data.overdue_total == 0


# The board dashboard --------------------------------------------------------------------------


def test_the_board_dashboard_shows_decisions_awaited_and_overdue_deadlines(client, board_chair):
    waiting = ConsiderationFactory(notification=overdue_case(last_name="O'Sullivan"))
    still_with_subgroup = overdue_case()
    client.force_login(board_chair)
    text = client.get(BOARD_URL).content.decode()
    assert "Serious incident notifications" in text
    assert "1 case considered by the Case Review subgroup awaits" in text
    assert f"/case-review/cases/{waiting.notification.pk}/decision/" in text
    assert "Local child safeguarding practice review" in text
    assert "2 statutory deadlines overdue" in text
    # The board chair does not see the case still with the subgroup: counted, not listed.
    assert still_with_subgroup.reference not in text
    assert "1 of them is on cases still with the Case Review subgroup" in text
    names_absent(text, waiting.notification, still_with_subgroup)


def test_the_secretariat_sees_every_overdue_deadline_on_the_board_dashboard(client, secretariat):
    first, second = overdue_case(), overdue_case()
    client.force_login(secretariat)
    text = client.get(BOARD_URL).content.decode()
    assert first.reference in text
    assert second.reference in text
    assert "still with the Case Review subgroup" not in text
    names_absent(text, first, second)


def test_the_board_panel_is_left_out_when_nothing_waits_or_is_overdue(client, board_chair):
    NotificationFactory(aware_date=TODAY)
    client.force_login(board_chair)
    assert "Serious incident notifications" not in client.get(BOARD_URL).content.decode()


def test_the_board_panel_is_for_the_board_chair_and_the_secretariat(board, case_review_chair):
    overdue_case()
    assert panels.board_cases(case_review_chair, TODAY) is None


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _grow(n: int) -> None:
    for _ in range(n):
        overdue_case()
        NotificationFactory(aware_date=TODAY)
        ConsiderationFactory(notification=overdue_case())
        DecisionFactory()


@pytest.mark.parametrize(
    ("url", "role"),
    [
        (BOARD_URL, "board_chair"),
        (BOARD_URL, "secretariat"),
        (CASE_REVIEW_URL, "case_review_chair"),
    ],
)
def test_dashboards_with_the_case_review_panels_run_a_fixed_number_of_queries(
    client, request, url, role, django_assert_max_num_queries
):
    _grow(2)
    client.force_login(request.getfixturevalue(role))
    few = _queries(client, url)
    _grow(12)
    with django_assert_max_num_queries(few):
        text = client.get(url).content.decode()
    assert "Serious incident notifications" in text or "Statutory deadlines" in text
