"""The business plan's rules: who may rate a priority, how a rating is recorded and kept, which
plan is this year's, and how ratings are counted."""

from __future__ import annotations

import datetime

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.utils import timezone

from hscb.models import GroupFunction, Priority, ProgressUpdate, Rag
from hscb.selectors.plan import (
    business_year,
    current_plan,
    rag_counts,
    rag_counts_for_plan,
    with_rag_labels,
)
from hscb.services.plan import priority_progress_update
from tests.hscb.factories import (
    BusinessPlanFactory,
    MembershipFactory,
    PriorityFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def priority(board):
    priority = PriorityFactory(rag="", commentary="")
    priority.groups.add(board[GroupFunction.IMPROVING_OUTCOMES])
    return priority


# Who may rate a priority ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("secretariat", True),
        ("board_chair", True),
        ("group_chair", True),
        ("member", False),
        ("agency_staff", False),
        ("cdop_member", False),
        ("case_review_member", False),
        ("outsider", False),
    ],
)
def test_the_chair_of_a_lead_group_board_chair_and_secretariat_may_rate(
    request, priority, role, allowed
):
    user = request.getfixturevalue(role)
    assert user.has_perm("hscb.update_priority_progress", priority) is allowed


def test_the_owner_may_rate_their_priority_though_they_sit_on_no_group(priority, agency_staff):
    assert not agency_staff.has_perm("hscb.update_priority_progress", priority)
    priority.owner = agency_staff
    priority.save()
    assert agency_staff.has_perm("hscb.update_priority_progress", priority)


def test_chairing_a_group_that_does_not_lead_gives_no_right_to_rate(board, priority):
    cdop_chair = MembershipFactory(
        group=board[GroupFunction.CHILD_DEATH_OVERVIEW], role="chair"
    ).user
    assert not cdop_chair.has_perm("hscb.update_priority_progress", priority)
    priority.groups.add(board[GroupFunction.CHILD_DEATH_OVERVIEW])
    fresh = Priority.objects.get(pk=priority.pk)
    cdop_chair._board_roles = None
    assert cdop_chair.has_perm("hscb.update_priority_progress", fresh)


def test_a_chair_whose_seat_has_ended_may_no_longer_rate(board, priority):
    seat = MembershipFactory(
        group=board[GroupFunction.IMPROVING_OUTCOMES],
        role="chair",
        start_date=timezone.localdate() - datetime.timedelta(days=400),
        end_date=timezone.localdate() - datetime.timedelta(days=1),
    )
    assert not seat.user.has_perm("hscb.update_priority_progress", priority)


# Recording a rating --------------------------------------------------------------------------


def test_a_rating_becomes_the_priority_s_progress_and_is_kept_in_its_history(priority, group_chair):
    update = priority_progress_update(
        priority=priority, rag=Rag.AMBER, commentary="  Two targets slipping.  ", by=group_chair
    )
    priority.refresh_from_db()
    assert (priority.rag, priority.commentary) == (Rag.AMBER, "Two targets slipping.")
    assert priority.progress_updated_by == group_chair
    assert priority.progress_updated_at == update.written_at
    assert abs(timezone.now() - update.written_at) < datetime.timedelta(seconds=5)
    assert list(priority.updates.values_list("rag", "commentary", "author")) == [
        (Rag.AMBER, "Two targets slipping.", group_chair.pk)
    ]


def test_later_ratings_replace_the_progress_and_keep_the_earlier_ones(priority, group_chair):
    priority_progress_update(priority=priority, rag=Rag.RED, commentary="Stuck.", by=group_chair)
    priority_progress_update(
        priority=priority, rag=Rag.GREEN, commentary="Back on track.", by=group_chair
    )
    priority.refresh_from_db()
    assert priority.rag == Rag.GREEN
    assert list(priority.updates.values_list("rag", flat=True)) == [Rag.GREEN, Rag.RED]


def test_the_caller_s_priority_shows_the_new_rating(priority, secretariat):
    priority_progress_update(priority=priority, rag=Rag.RED, commentary="Late.", by=secretariat)
    assert priority.rag == Rag.RED and priority.progress_updated_by == secretariat


def test_a_rating_is_in_the_priority_s_change_history(priority, board_chair):
    priority_progress_update(
        priority=priority, rag=Rag.GREEN, commentary="On track.", by=board_chair
    )
    entry = LogEntry.objects.get_for_object(priority).order_by("-timestamp").first()
    assert entry is not None and "rag" in entry.changes_dict
    assert LogEntry.objects.get_for_objects(ProgressUpdate.objects.all()).exists()


@pytest.mark.parametrize(
    ("rag", "commentary", "field"),
    [
        ("purple", "Fine.", "rag"),
        ("", "Fine.", "rag"),
        (Rag.GREEN, "   ", "commentary"),
        (Rag.GREEN, "x" * 1001, "commentary"),
    ],
)
def test_a_rating_without_a_colour_or_commentary_is_refused_and_changes_nothing(
    priority, group_chair, rag, commentary, field
):
    with pytest.raises(ValidationError) as error:
        priority_progress_update(priority=priority, rag=rag, commentary=commentary, by=group_chair)
    assert field in error.value.message_dict
    priority.refresh_from_db()
    assert priority.rag == "" and not priority.updates.exists()


def test_a_commentary_of_exactly_1000_characters_is_accepted(priority, group_chair):
    priority_progress_update(priority=priority, rag=Rag.RED, commentary="y" * 1000, by=group_chair)
    assert len(Priority.objects.get(pk=priority.pk).commentary) == 1000


# Which plan is this year's -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (datetime.date(2027, 3, 31), 2026),
        (datetime.date(2027, 4, 1), 2027),
        (datetime.date(2026, 12, 31), 2026),
        (datetime.date(2027, 1, 1), 2026),
    ],
)
def test_the_business_year_runs_from_april_to_march(day, year):
    assert business_year(day) == year


def test_the_current_plan_is_this_business_year_s_else_the_latest(db):
    assert current_plan(datetime.date(2027, 2, 1)) is None
    old = BusinessPlanFactory(year=2024)
    assert current_plan(datetime.date(2027, 2, 1)) == old
    this = BusinessPlanFactory(year=2026)
    BusinessPlanFactory(year=2027)
    assert current_plan(datetime.date(2027, 2, 1)) == this
    assert current_plan(datetime.date(2027, 4, 1)).year == 2027


def test_a_plan_is_named_by_its_period(db):
    plan = BusinessPlanFactory(year=2026, title="")
    assert plan.period == "2026 to 2027"
    assert str(plan) == "Business plan 2026 to 2027"
    assert plan.get_absolute_url() == "/plan/2026/"


# Counting ratings ----------------------------------------------------------------------------


def test_ratings_are_counted_with_unrated_priorities_as_not_assessed(board):
    plan = BusinessPlanFactory(year=2026)
    io = board[GroupFunction.IMPROVING_OUTCOMES]
    for rag in [Rag.RED, Rag.AMBER, Rag.AMBER, Rag.GREEN, "", ""]:
        PriorityFactory(plan=plan, rag=rag).groups.add(io)
    PriorityFactory(plan=plan, rag=Rag.GREEN)  # led by no group
    PriorityFactory(plan=BusinessPlanFactory(year=2025), rag=Rag.RED)  # another year's

    counts = rag_counts_for_plan(plan)
    assert (counts.red, counts.amber, counts.green, counts.not_assessed) == (1, 2, 2, 2)
    assert counts.total == 7
    assert counts == rag_counts(list(plan.priorities.all()))
    led = rag_counts_for_plan(plan, group=io)
    assert (led.red, led.amber, led.green, led.not_assessed) == (1, 2, 1, 2)
    assert [label for label, _, _ in counts.rows()] == ["Red", "Amber", "Green", "Not assessed"]


def test_each_rating_has_its_tag_colour_and_meaning(db):
    rated = with_rag_labels(
        [PriorityFactory(rag=rag) for rag in [Rag.RED, Rag.AMBER, Rag.GREEN, ""]]
    )
    assert [(p.rag_label, p.rag_tag_class) for p in rated] == [
        ("Red", "govuk-tag--red"),
        ("Amber", "govuk-tag--orange"),
        ("Green", "govuk-tag--green"),
        ("Not assessed", "govuk-tag--grey"),
    ]
    assert rated[0].rag_meaning == "Off track: needs the board's help"
    assert rated[3].rag_meaning == ""
