"""The register's rules for issues, enforced in `subgroups.services.register` whatever calls it:
multi-agency issues only, the score and rating derived from the risk, review dates in the
reminder engine, and the moves of status (with a stale move refused and nothing lost)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from hscb.models import GroupFunction
from subgroups.models import Issue, IssueStatus, IssueUpdate, RiskRating
from subgroups.services import register as services
from tests.hscb.factories import (
    AgencyFactory,
    BusinessPlanFactory,
    PriorityFactory,
    UserFactory,
)
from tests.subgroups.factories import GoodPracticeFactory, IssueFactory

pytestmark = pytest.mark.django_db


def in_days(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


@pytest.fixture
def agencies(db):
    return [AgencyFactory(name="Hertfordshire Constabulary"), AgencyFactory(name="East Herts NHS")]


def raise_issue(by, **changes) -> Issue:
    details = {
        "title": "  Missed health appointments are not shared  ",
        "description": "Two trusts do not tell children's services about missed appointments.",
        "source": "performance_data",
        "agencies": changes.pop("agencies")
        if "agencies" in changes
        else AgencyFactory.create_batch(2),
        "is_countywide": False,
        "priority": None,
        "likelihood": 3,
        "impact": 4,
        "owner": by,
        "proposed_improvement": "A data-sharing agreement signed by both trusts.",
        "review_date": in_days(60),
    }
    details.update(changes)
    return services.issue_raise(by=by, **details)


# Raising an issue: the multi-agency rule --------------------------------------------------------


def test_an_issue_naming_two_agencies_is_raised_open_with_its_first_update(
    board, ratings, member, agencies
):
    issue = raise_issue(member, agencies=agencies)
    assert issue.group == board[GroupFunction.IMPROVING_OUTCOMES]
    assert issue.status == IssueStatus.OPEN
    assert issue.title == "Missed health appointments are not shared"
    assert set(issue.agencies.all()) == set(agencies)
    update = issue.updates.get()
    assert (update.author, update.status_from, update.status_to) == (member, "", "open")


def test_an_issue_naming_one_agency_is_refused_with_the_reason(board, ratings, member):
    police = AgencyFactory(name="Hertfordshire Constabulary")
    with pytest.raises(ValidationError) as refused:
        raise_issue(member, agencies=[police])
    message = refused.value.message_dict["agencies"][0]
    assert message.startswith(services.MULTI_AGENCY_MESSAGE)
    assert "This one names only Hertfordshire Constabulary." in message
    assert not Issue.objects.exists()


def test_an_issue_naming_no_agency_is_refused(board, ratings, member):
    with pytest.raises(ValidationError) as refused:
        services.issue_raise(
            by=member,
            title="Nobody named",
            description="d",
            source="case_review",
            agencies=[],
            is_countywide=False,
            priority=None,
            likelihood=2,
            impact=2,
            owner=member,
            proposed_improvement="p",
            review_date=in_days(10),
        )
    assert "It names none." in refused.value.message_dict["agencies"][0]
    assert not Issue.objects.exists()


def test_the_same_agency_twice_counts_once(board, ratings, member):
    police = AgencyFactory()
    with pytest.raises(ValidationError) as refused:
        raise_issue(member, agencies=[police, police])
    assert "agencies" in refused.value.message_dict


@pytest.mark.parametrize("named", [0, 1])
def test_a_countywide_issue_may_name_fewer_than_two_agencies(board, ratings, member, named):
    issue = raise_issue(member, agencies=AgencyFactory.create_batch(named), is_countywide=True)
    assert issue.is_countywide
    assert issue.agencies.count() == named


# Raising an issue: the other checks ---------------------------------------------------------------


def test_a_review_date_in_the_past_is_refused_but_today_is_allowed(board, ratings, member):
    with pytest.raises(ValidationError) as refused:
        raise_issue(member, review_date=in_days(-1))
    assert refused.value.message_dict["review_date"] == [
        "The review date must be today or in the future"
    ]
    assert raise_issue(member, review_date=in_days(0)).review_date == timezone.localdate()


@pytest.mark.parametrize(("likelihood", "impact"), [(0, 3), (3, 6), (-1, -1)])
def test_likelihood_and_impact_outside_one_to_five_are_refused(
    board, ratings, member, likelihood, impact
):
    with pytest.raises(ValidationError) as refused:
        raise_issue(member, likelihood=likelihood, impact=impact)
    assert {"likelihood", "impact"} & set(refused.value.message_dict)
    assert not Issue.objects.exists()


def test_an_owner_whose_account_is_closed_is_refused(board, ratings, member):
    with pytest.raises(ValidationError) as refused:
        raise_issue(member, owner=UserFactory(is_active=False))
    assert refused.value.message_dict["owner"] == ["Choose an owner whose account is open"]


def test_a_priority_of_an_old_plan_is_refused(board, ratings, member):
    old = PriorityFactory(plan=BusinessPlanFactory(year=timezone.localdate().year - 5))
    with pytest.raises(ValidationError) as refused:
        raise_issue(member, priority=old)
    assert "priority" in refused.value.message_dict
    current = PriorityFactory()
    assert raise_issue(member, priority=current).priority == current


def test_good_practice_is_linked_when_raised(board, ratings, member):
    practice = GoodPracticeFactory()
    issue = raise_issue(member, good_practice=[practice])
    assert list(issue.good_practice.all()) == [practice]


# Score and rating ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("likelihood", "impact", "score", "rating"),
    [
        (1, 1, 1, "Low"),
        (2, 2, 4, "Low"),
        (1, 5, 5, "Medium"),
        (3, 3, 9, "Medium"),
        (2, 5, 10, "High"),
        (3, 4, 12, "High"),
        (3, 5, 15, "Very high"),
        (5, 5, 25, "Very high"),
    ],
)
def test_score_is_likelihood_times_impact_and_rating_is_its_band(
    board, ratings, member, likelihood, impact, score, rating
):
    issue = raise_issue(member, likelihood=likelihood, impact=impact)
    assert issue.score == score
    assert issue.rating.name == rating


def test_ratings_are_data_the_admin_sets(board, ratings, member):
    RiskRating.objects.filter(name="High").update(min_score=13)
    assert raise_issue(member, likelihood=3, impact=4).rating.name == "Medium"
    assert services.significant_from().name == "High"


def test_rating_for_a_score_below_every_band_is_none(ratings):
    RiskRating.objects.filter(name="Low").update(min_score=2)
    assert services.rating_for(1) is None
    assert services.rating_for(2).name == "Low"


def test_changing_likelihood_or_impact_rescores_the_issue(board, ratings, group_chair):
    issue = IssueFactory(likelihood=1, impact=2)
    changed = change(issue, group_chair, likelihood=5, impact=4)
    changed.refresh_from_db()
    assert (changed.score, changed.rating.name) == (20, "Very high")


# Review dates and the reminder engine -------------------------------------------------------------


def change(issue: Issue, by, **changes) -> Issue:
    details = {
        "title": issue.title,
        "description": issue.description,
        "source": issue.source,
        "agencies": list(issue.agencies.all()),
        "is_countywide": issue.is_countywide,
        "priority": issue.priority,
        "likelihood": issue.likelihood,
        "impact": issue.impact,
        "owner": issue.owner,
        "proposed_improvement": issue.proposed_improvement,
        "review_date": issue.review_date,
    }
    details.update(changes)
    return services.issue_change(issue=issue, by=by, **details)


def test_raising_an_issue_arms_the_review_date_reminders(board, ratings, member):
    issue = raise_issue(member, review_date=in_days(60))
    issue.refresh_from_db()
    assert issue.reminder_next_on == in_days(30)  # 30 days before the review date
    assert issue.reminder_last_sent is None


def test_a_new_review_date_rearms_the_reminders(board, ratings, group_chair):
    issue = IssueFactory(review_date=in_days(20))
    Issue.objects.filter(pk=issue.pk).update(reminder_last_sent=-30, reminder_next_on=in_days(13))
    issue.refresh_from_db()
    change(issue, group_chair, review_date=in_days(90))
    issue.refresh_from_db()
    assert issue.reminder_last_sent is None
    assert issue.reminder_next_on == in_days(60)


def test_a_new_owner_rearms_the_reminders(board, ratings, group_chair, member):
    issue = IssueFactory(review_date=in_days(20))
    Issue.objects.filter(pk=issue.pk).update(reminder_last_sent=-30, reminder_next_on=in_days(13))
    issue.refresh_from_db()
    change(issue, group_chair, owner=member)
    issue.refresh_from_db()
    assert issue.owner == member
    assert issue.reminder_last_sent is None


def test_other_changes_leave_the_reminders_alone(board, ratings, group_chair):
    issue = IssueFactory(review_date=in_days(20))
    Issue.objects.filter(pk=issue.pk).update(reminder_last_sent=-30, reminder_next_on=in_days(13))
    issue.refresh_from_db()
    change(issue, group_chair, title="A clearer title")
    issue.refresh_from_db()
    assert (issue.title, issue.reminder_last_sent, issue.reminder_next_on) == (
        "A clearer title",
        -30,
        in_days(13),
    )


def test_a_passed_review_date_may_stay_when_other_details_change(board, ratings, group_chair):
    issue = IssueFactory()
    Issue.objects.filter(pk=issue.pk).update(review_date=in_days(-3))
    issue.refresh_from_db()
    change(issue, group_chair, title="Still overdue")
    with pytest.raises(ValidationError) as refused:
        change(issue, group_chair, review_date=in_days(-1))
    assert "review_date" in refused.value.message_dict


def test_a_change_must_keep_the_issue_multi_agency(board, ratings, group_chair):
    issue = IssueFactory()
    with pytest.raises(ValidationError) as refused:
        change(issue, group_chair, agencies=list(issue.agencies.all())[:1])
    assert refused.value.message_dict["agencies"][0].startswith(services.MULTI_AGENCY_MESSAGE)
    assert issue.agencies.count() == 2


def test_a_closed_issue_cannot_be_changed(board, ratings, group_chair):
    issue = IssueFactory(status=IssueStatus.CLOSED)
    with pytest.raises(ValidationError, match="closed issue cannot be changed"):
        change(issue, group_chair, title="New title")


# Progress and moves of status ---------------------------------------------------------------------


def test_an_update_without_a_move_records_only_the_text(board, ratings, member):
    issue = IssueFactory(owner=member)
    update = services.issue_progress(issue=issue, by=member, text="  Met the trusts.  ")
    assert (update.text, update.status_from, update.status_to) == ("Met the trusts.", "", "")
    issue.refresh_from_db()
    assert issue.status == IssueStatus.OPEN


@pytest.mark.parametrize(
    ("start", "target"),
    [
        ("open", "monitoring"),
        ("open", "resolved"),
        ("monitoring", "resolved"),
        ("monitoring", "open"),
        ("resolved", "closed"),
        ("resolved", "open"),
        ("closed", "open"),
    ],
)
def test_every_allowed_move_is_recorded_with_who_from_to_and_why(
    board, ratings, member, start, target
):
    issue = IssueFactory(owner=member, status=start)
    update = services.issue_progress(
        issue=issue, by=member, text="The reason.", status=target, seen_status=start
    )
    issue.refresh_from_db()
    assert issue.status == target
    assert (update.author, update.status_from, update.status_to, update.text) == (
        member,
        start,
        target,
        "The reason.",
    )


@pytest.mark.parametrize(
    ("start", "target"),
    [("open", "closed"), ("monitoring", "closed"), ("closed", "resolved"), ("open", "escalated")],
)
def test_a_move_the_lifecycle_does_not_allow_is_refused(board, ratings, member, start, target):
    issue = IssueFactory(owner=member, status=start)
    with pytest.raises(ValidationError) as refused:
        services.issue_progress(issue=issue, by=member, text="Try it.", status=target)
    assert "cannot be" in refused.value.message_dict["status"][0]
    issue.refresh_from_db()
    assert issue.status == start
    assert not IssueUpdate.objects.filter(issue=issue).exists()


def test_an_escalated_issue_moves_only_when_the_board_decides(board, ratings, member):
    issue = IssueFactory(owner=member, status=IssueStatus.ESCALATED)
    with pytest.raises(ValidationError) as refused:
        services.issue_progress(issue=issue, by=member, text="Done.", status="resolved")
    assert "with the Strategic Board" in refused.value.message_dict["status"][0]
    update = services.issue_progress(issue=issue, by=member, text="Still waiting.")
    assert update.status_to == ""


def test_reopening_needs_a_reason(board, ratings, member):
    issue = IssueFactory(owner=member, status=IssueStatus.CLOSED)
    with pytest.raises(ValidationError) as refused:
        services.issue_progress(issue=issue, by=member, text="   ", status="open")
    assert refused.value.message_dict["text"] == ["Enter a progress update"]
    issue.refresh_from_db()
    assert issue.status == IssueStatus.CLOSED


def test_an_over_long_update_is_refused(board, ratings, member):
    issue = IssueFactory(owner=member)
    with pytest.raises(ValidationError) as refused:
        services.issue_progress(issue=issue, by=member, text="x" * 4001)
    assert "4,000 characters" in refused.value.message_dict["text"][0]


def test_resolving_stops_the_reminders_and_reopening_rearms_them(board, ratings, member):
    issue = IssueFactory(owner=member, review_date=in_days(60))
    services.issue_progress(issue=issue, by=member, text="Fixed.", status="resolved")
    issue.refresh_from_db()
    assert issue.reminder_next_on is None
    services.issue_progress(issue=issue, by=member, text="It came back.", status="open")
    issue.refresh_from_db()
    assert issue.reminder_next_on == in_days(30)


def test_reopening_an_issue_whose_review_date_passed_moves_it_to_today(board, ratings, member):
    issue = IssueFactory(owner=member, status=IssueStatus.CLOSED)
    Issue.objects.filter(pk=issue.pk).update(review_date=in_days(-40))
    issue.refresh_from_db()
    services.issue_progress(issue=issue, by=member, text="Back again.", status="open")
    issue.refresh_from_db()
    assert issue.review_date == timezone.localdate()
    assert issue.reminder_next_on is not None


def test_a_move_from_a_status_seen_before_someone_else_moved_it_is_refused(board, ratings, member):
    issue = IssueFactory(owner=member)
    Issue.objects.filter(pk=issue.pk).update(status=IssueStatus.MONITORING)
    issue.refresh_from_db()
    with pytest.raises(services.IssueChanged) as clash:
        services.issue_progress(
            issue=issue, by=member, text="Resolved now.", status="resolved", seen_status="open"
        )
    assert clash.value.status == IssueStatus.MONITORING
    assert "now monitoring" in str(clash.value)
    issue.refresh_from_db()
    assert issue.status == IssueStatus.MONITORING
    assert not IssueUpdate.objects.filter(issue=issue).exists()


def test_two_people_moving_the_same_issue_at_once_the_second_is_refused(
    board, ratings, member, group_chair
):
    issue = IssueFactory(owner=member)
    first = Issue.objects.get(pk=issue.pk)
    second = Issue.objects.get(pk=issue.pk)
    services.issue_progress(issue=first, by=member, text="Watching.", status="monitoring")
    with pytest.raises(services.IssueChanged) as clash:
        services.issue_progress(issue=second, by=group_chair, text="Done.", status="resolved")
    assert clash.value.status == IssueStatus.MONITORING
    issue.refresh_from_db()
    assert issue.status == IssueStatus.MONITORING
    assert list(issue.updates.values_list("text", flat=True)) == ["Watching."]


# What the service checks itself, whatever form calls it ---------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": "   "}, "title", "Enter a title"),
        ({"description": ""}, "description", "Enter a description"),
        ({"proposed_improvement": " "}, "proposed_improvement", "Enter the proposed improvement"),
        ({"title": "x" * 201}, "title", "200 characters or fewer"),
        ({"source": "rumour"}, "source", "Choose where the issue came from"),
    ],
)
def test_the_service_refuses_an_issue_without_its_essentials(
    ratings, member, changes, field, message
):
    with pytest.raises(ValidationError) as refused:
        raise_issue(member, **changes)
    assert message in " ".join(refused.value.message_dict[field])
    assert not Issue.objects.exists()


def test_an_agency_that_no_longer_takes_part_cannot_be_named(ratings, member):
    gone = AgencyFactory(is_active=False)
    with pytest.raises(ValidationError) as refused:
        raise_issue(member, agencies=[gone, AgencyFactory()])
    assert refused.value.message_dict["agencies"] == ["Choose agencies that still take part"]


def test_changing_an_issue_someone_else_has_just_moved_is_refused_and_nothing_saved(
    ratings, member
):
    issue = raise_issue(member)
    stale = Issue.objects.get(pk=issue.pk)
    Issue.objects.filter(pk=issue.pk).update(status=IssueStatus.MONITORING)
    with pytest.raises(services.IssueChanged):
        services.issue_change(
            issue=stale,
            by=member,
            title="A new title",
            description=stale.description,
            source=stale.source,
            agencies=list(issue.agencies.all()),
            is_countywide=False,
            priority=None,
            likelihood=5,
            impact=5,
            owner=member,
            proposed_improvement=stale.proposed_improvement,
            review_date=stale.review_date,
        )
    issue.refresh_from_db()
    assert (issue.title, issue.score, issue.status) != ("A new title", 25, IssueStatus.OPEN)
    assert issue.title.startswith("Missed health appointments")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": " "}, "title"),
        ({"scope": "galactic"}, "scope"),
        ({"link": "javascript:alert(1)"}, "link"),
    ],
)
def test_good_practice_is_checked_by_the_service(member, changes, field):
    details = {
        "title": "Joint visits",
        "scope": "local",
        "source": "Stevenage",
        "summary": "Health visitors and social workers visit together.",
        "link": "https://example.org/joint-visits",
        "theme": "Neglect",
    }
    details.update(changes)
    with pytest.raises(ValidationError) as refused:
        services.good_practice_add(by=member, **details)
    assert field in refused.value.message_dict
