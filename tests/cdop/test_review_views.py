"""The panel review's pages: the review form, factors, recommendations and their actions, closing
the case and referring it to the Case Review subgroup. Each rule of the services is refused
through its form with a GOV.UK error page; every page that shows the case is in the access log;
bad input never gives a 500."""

from __future__ import annotations

import datetime
import re

import pytest
from auditlog.models import LogEntry
from django.utils import timezone
from django.utils.html import escape
from django_fsm import ConcurrentTransition

from casereview.models import Notification
from cdop.models import (
    ChildDeath,
    DeathStatus,
    Domain,
    Factor,
    Modifiable,
    PanelRecommendation,
    PanelReview,
)
from cdop.services import review as services
from hscb.models import Action, GroupFunction, Meeting, MeetingStatus
from tests.casereview.factories import ensure_review_types
from tests.cdop.factories import (
    AgencyInformationFactory,
    ChildDeathFactory,
    FactorFactory,
    PanelRecommendationFactory,
    PanelReviewFactory,
    ensure_categories,
)
from tests.hscb.factories import MeetingFactory
from tests.hscb.test_bad_input import assert_error_page

pytestmark = pytest.mark.django_db

PHONE = "01632 960 001"


# An unexpected death's joint agency response, recorded (closing needs it).
JAR = {
    "jar_started_on": timezone.localdate() - datetime.timedelta(days=40),
    "jar_lead": "DS Kate Rowley",
    "jar_summary": "A joint home visit was made the same day.",
}


def today() -> datetime.date:
    return timezone.localdate()


def days_ago(n: int) -> datetime.date:
    return today() - datetime.timedelta(days=n)


def date_parts(name: str, day: datetime.date) -> dict[str, str]:
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


@pytest.fixture
def categories(board):
    return ensure_categories()


@pytest.fixture
def death(board, categories):
    return ChildDeathFactory(
        status=DeathStatus.PANEL, died_on=days_ago(40), last_name="O'Brien", **JAR
    )


@pytest.fixture
def panel(client, cdop_member):
    client.force_login(cdop_member)
    return client


def url(name: str, pk: int) -> str:
    return {
        "review": f"/cdop/deaths/{pk}/review/",
        "factor": f"/cdop/deaths/{pk}/factors/new/",
        "remove": f"/cdop/factors/{pk}/remove/",
        "recommendation": f"/cdop/deaths/{pk}/recommendations/new/",
        "action": f"/cdop/recommendations/{pk}/action/",
        "close": f"/cdop/deaths/{pk}/close/",
        "refer": f"/cdop/deaths/{pk}/refer-to-case-review/",
    }[name]


def date_error(response, name: str) -> str:
    """The error page, with the error summary linking to the date (or the part that is
    wrong)."""
    text = assert_error_page(response)
    assert re.search(rf'href="#id_{name}(_[012])?"', text), f"no link to {name}"
    return text


def accessed(obj, actor) -> bool:
    return LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS,
        object_id=obj.pk,
        content_type__model=obj._meta.model_name,
        actor=actor,
    ).exists()


# The review page ------------------------------------------------------------------------------


def test_the_review_page_shows_the_case_the_categories_and_is_logged(panel, death, cdop_member):
    response = panel.get(url("review", death.pk))
    text = response.content.decode()
    assert response.status_code == 200
    assert escape(death.child_name) in text
    assert "Category of death" in text
    assert "when more than one applies, choose the one with the lowest number" in text
    assert "Deliberately inflicted injury, abuse or neglect" in text
    assert escape("Suffocation, shaking injury") in text  # the category's description as a hint
    assert "Insufficient information to decide" in text
    assert "No factors recorded yet." in text
    assert accessed(death, cdop_member)


def test_the_review_form_saves_the_panels_conclusions(panel, death, categories, cdop_member):
    response = panel.post(
        url("review", death.pk),
        {
            "category": str(categories[4].pk),
            "modifiable": Modifiable.INSUFFICIENT,
            "summary": "Acute asthma.",
            "abuse_or_neglect_factor": "no",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == url("review", death.pk)
    review = PanelReview.objects.get(death=death)
    assert review.category == categories[4]
    assert review.modifiable == Modifiable.INSUFFICIENT
    assert review.summary == "Acute asthma."
    assert review.updated_by == cdop_member
    page = panel.get(url("review", death.pk)).content.decode()
    assert "has been saved" in page
    assert accessed(review, cdop_member)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "abuse_or_neglect_factor_1"),
        ({"abuse_or_neglect_factor": "perhaps"}, "abuse_or_neglect_factor_1"),
        ({"abuse_or_neglect_factor": "no", "category": "999999"}, "category_1"),
        ({"abuse_or_neglect_factor": "no", "modifiable": "maybe"}, "modifiable_1"),
        ({"abuse_or_neglect_factor": "no", "summary": "x" * 10001}, "summary"),
        ({"abuse_or_neglect_factor": "no", "summary": "a\x00b"}, "summary"),
        ({"abuse_or_neglect_factor": ["yes", "[object Object]"]}, "abuse_or_neglect_factor_1"),
    ],
)
def test_the_review_form_refuses_bad_input(panel, death, data, field):
    text = assert_error_page(panel.post(url("review", death.pk), data), field)
    assert not PanelReview.objects.exists()
    if "summary" in data and "\x00" not in data["summary"]:
        assert "x" * 100 in text  # what was typed is shown again


def test_an_inactive_category_is_not_offered(panel, death, categories):
    categories[6].is_active = False
    categories[6].save()
    text = panel.get(url("review", death.pk)).content.decode()
    assert categories[6].name not in text
    response = panel.post(
        url("review", death.pk),
        {"category": str(categories[6].pk), "abuse_or_neglect_factor": "no"},
    )
    assert "Choose a category of death from the list" in assert_error_page(response, "category_1")


def test_a_closed_case_shows_its_conclusions_and_refuses_changes(panel, board, categories):
    review = PanelReviewFactory(
        death__status=DeathStatus.CLOSED,
        closed_on=days_ago(2),
        modifiable=Modifiable.NO,
        summary="Nothing more could have been done.",
    )
    text = panel.get(url("review", review.death.pk)).content.decode()
    assert "The case is closed" in text
    assert "Nothing more could have been done." in text
    assert 'name="summary"' not in text
    response = panel.post(
        url("review", review.death.pk), {"abuse_or_neglect_factor": "yes", "summary": "Changed"}
    )
    assert "can no longer be changed" in assert_error_page(response)
    review.refresh_from_db()
    assert review.summary == "Nothing more could have been done."


@pytest.mark.parametrize("role", ["board_chair", "member", "agency_staff", "case_review_member"])
def test_only_the_panel_team_sees_the_review(client, request, death, role):
    user = request.getfixturevalue(role)
    client.force_login(user)
    for name in ("review", "factor", "recommendation", "close", "refer"):
        assert client.get(url(name, death.pk)).status_code == 404
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


def test_a_case_number_too_big_for_the_database_is_not_found(panel):
    assert panel.get("/cdop/deaths/99999999999999999999999/review/").status_code == 404
    assert panel.post("/cdop/factors/99999999999999999999999/remove/").status_code == 404


# Factors --------------------------------------------------------------------------------------


def test_a_factor_is_added_and_shown_on_the_review(panel, death):
    response = panel.post(
        url("factor", death.pk),
        {"domain": Domain.PARENTING, "description": "Parental alcohol use", "influence": "2"},
    )
    assert response.status_code == 302
    assert response["Location"] == url("review", death.pk) + "#factors"
    factor = Factor.objects.get()
    assert factor.review.death == death
    text = panel.get(url("review", death.pk)).content.decode()
    assert "Parental alcohol use" in text
    assert "Parenting capacity" in text
    assert url("remove", factor.pk) in text


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "domain_1"),
        ({"domain": "x", "description": "A", "influence": "1"}, "domain_1"),
        ({"domain": Domain.FAMILY, "description": "x" * 501, "influence": "1"}, "description"),
        ({"domain": Domain.FAMILY, "description": "\x00", "influence": "1"}, "description"),
        ({"domain": Domain.FAMILY, "description": "A", "influence": "7"}, "influence_1"),
    ],
)
def test_the_factor_form_refuses_bad_input(panel, death, data, field):
    assert_error_page(panel.post(url("factor", death.pk), data), field)
    assert not Factor.objects.exists()


def test_removing_a_factor_is_post_only(panel, board, client, member):
    factor = FactorFactory()
    assert panel.get(url("remove", factor.pk)).status_code == 405
    response = panel.post(url("remove", factor.pk))
    assert response.status_code == 302
    assert not Factor.objects.exists()
    other = FactorFactory()
    client.force_login(member)
    assert client.get(url("remove", other.pk)).status_code == 404
    assert client.post(url("remove", other.pk)).status_code == 404
    assert Factor.objects.filter(pk=other.pk).exists()


def test_a_factor_of_a_closed_case_is_not_removed_and_the_reason_is_shown(panel, board):
    factor = FactorFactory(review__death__status=DeathStatus.CLOSED, review__closed_on=days_ago(1))
    response = panel.post(url("remove", factor.pk), follow=True)
    assert "can no longer be changed" in response.content.decode()
    assert Factor.objects.filter(pk=factor.pk).exists()


# Recommendations and actions ------------------------------------------------------------------


def test_a_recommendation_is_added(panel, death, cdop_member):
    response = panel.post(url("recommendation", death.pk), {"text": "Share bruising concerns."})
    assert response["Location"] == url("review", death.pk) + "#recommendations"
    recommendation = PanelRecommendation.objects.get()
    assert recommendation.added_by == cdop_member
    text = panel.get(url("review", death.pk)).content.decode()
    assert "Share bruising concerns." in text
    assert url("action", recommendation.pk) in text


@pytest.mark.parametrize(
    "data", [{}, {"text": "x" * 5001}, {"text": "a\x00"}, {"text": "   "}], ids=str
)
def test_the_recommendation_form_refuses_bad_input(panel, death, data):
    assert_error_page(panel.post(url("recommendation", death.pk), data), "text")
    assert not PanelRecommendation.objects.exists()


def action_data(person, **changes) -> dict[str, str]:
    due = today() + datetime.timedelta(days=60)
    return {
        "title": "Repeat the safer sleep campaign",
        "description": "",
        "owner": str(person.pk),
        **date_parts("due_date", due),
        "meeting": "",
        **changes,
    }


def test_a_recommendation_becomes_an_action_once_through_the_form(panel, board, cdop_member):
    recommendation = PanelRecommendationFactory()
    page = panel.get(url("action", recommendation.pk))
    assert page.status_code == 200
    assert recommendation.text in page.content.decode()
    response = panel.post(url("action", recommendation.pk), action_data(cdop_member))
    assert response.status_code == 302
    action = Action.objects.get()
    recommendation.refresh_from_db()
    assert recommendation.action == action
    text = panel.get(url("review", recommendation.review.death.pk)).content.decode()
    assert action.get_absolute_url() in text
    again = panel.post(url("action", recommendation.pk), action_data(cdop_member, title="Again"))
    assert "already been made an action" in assert_error_page(again)
    assert Action.objects.count() == 1
    assert (
        "already an action of the panel"
        in panel.get(url("action", recommendation.pk)).content.decode()
    )


def test_the_action_form_offers_the_panels_meetings_from_the_death_on(
    panel, board, cdop_member, death
):
    cdop = board[GroupFunction.CHILD_DEATH_OVERVIEW]

    def meeting(days: int, **kwargs) -> Meeting:
        starts = timezone.now() + datetime.timedelta(days=days)
        return MeetingFactory(group=cdop, starts_at=starts, title=f"Meeting {days}", **kwargs)

    before = meeting(-41)
    after, later = meeting(-20), meeting(10)
    cancelled = meeting(-10, status=MeetingStatus.CANCELLED)
    others = MeetingFactory(group=board[GroupFunction.AUDIT], title="Audit meeting")
    recommendation = PanelRecommendationFactory(review=PanelReviewFactory(death=death))
    text = panel.get(url("action", recommendation.pk)).content.decode()
    offered = re.findall(r'<option value="(\d+)"', text.split('name="meeting"')[1])
    assert offered == [str(later.pk), str(after.pk)]
    for refused in (before, cancelled, others):
        response = panel.post(
            url("action", recommendation.pk), action_data(cdop_member, meeting=str(refused.pk))
        )
        assert_error_page(response, "meeting")
    response = panel.post(
        url("action", recommendation.pk), action_data(cdop_member, meeting=str(after.pk))
    )
    assert response.status_code == 302
    assert Action.objects.get().meeting == after


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 301}, "title"),
        ({"owner": ""}, "owner"),
        ({"owner": "abc"}, "owner"),
        ({"owner": "99999999999999999999999"}, "owner"),
        ({"due_date_0": "", "due_date_1": "", "due_date_2": ""}, "due_date"),
        ({"due_date_0": "31", "due_date_1": "2", "due_date_2": "2030"}, "due_date"),
        ({"due_date_2": "99999999999999999999"}, "due_date"),
        ({"meeting": "abc"}, "meeting"),
    ],
)
def test_the_action_form_refuses_bad_input(panel, board, cdop_member, changes, field):
    recommendation = PanelRecommendationFactory()
    response = panel.post(url("action", recommendation.pk), action_data(cdop_member, **changes))
    if field == "due_date":
        date_error(response, field)
    else:
        assert_error_page(response, field)
    assert not Action.objects.exists()


def test_an_action_due_in_the_past_is_refused_through_the_form(panel, board, cdop_member):
    recommendation = PanelRecommendationFactory()
    response = panel.post(
        url("action", recommendation.pk),
        action_data(cdop_member, **date_parts("due_date", days_ago(1))),
    )
    assert "The due date must be today or in the future" in date_error(response, "due_date")


# Closing --------------------------------------------------------------------------------------


def test_closing_without_a_category_or_modifiable_judgement_is_refused(panel, death):
    page = panel.get(url("close", death.pk)).content.decode()
    assert escape(services.NO_CATEGORY) in page
    response = panel.post(url("close", death.pk), date_parts("closed_on", today()))
    text = assert_error_page(response)
    assert escape(services.NO_CATEGORY) in text
    assert escape(services.NO_MODIFIABLE) in text
    death.refresh_from_db()
    assert death.status == DeathStatus.PANEL


def review_ready(death, categories, by):
    services.panel_review_save(
        death=death,
        by=by,
        category=categories[9],
        modifiable=Modifiable.NO,
        summary="",
        abuse_or_neglect_factor=False,
    )


@pytest.mark.parametrize(
    ("day", "words"),
    [
        (lambda d: d.died_on - datetime.timedelta(days=1), "on or after the date of death"),
        (lambda d: today() + datetime.timedelta(days=1), "today or in the past"),
    ],
)
def test_the_closing_date_rules_are_refused_through_the_form(
    panel, death, categories, cdop_member, day, words
):
    review_ready(death, categories, cdop_member)
    response = panel.post(url("close", death.pk), date_parts("closed_on", day(death)))
    assert words in date_error(response, "closed_on")
    assert ChildDeath.objects.get(pk=death.pk).status == DeathStatus.PANEL


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"closed_on_0": "32", "closed_on_1": "1", "closed_on_2": "2026"},
        {"closed_on_0": "a\x00", "closed_on_1": "1", "closed_on_2": "2026"},
    ],
    ids=["missing", "not a date", "null"],
)
def test_the_close_form_refuses_bad_dates(panel, death, data):
    date_error(panel.post(url("close", death.pk), data), "closed_on")


def test_the_panel_closes_a_case(panel, death, categories, cdop_member):
    review_ready(death, categories, cdop_member)
    response = panel.post(url("close", death.pk), date_parts("closed_on", days_ago(1)))
    assert response.status_code == 302
    death.refresh_from_db()
    assert death.status == DeathStatus.CLOSED
    assert death.review.closed_on == days_ago(1)
    text = panel.get(url("review", death.pk)).content.decode()
    assert f"Case {death.reference} has been closed." in text
    assert "The case is closed" in text


def test_a_stale_transition_is_a_message_not_an_error(
    panel, death, categories, cdop_member, monkeypatch
):
    review_ready(death, categories, cdop_member)

    def clash(**kwargs):
        raise ConcurrentTransition("moved on")

    monkeypatch.setattr(services, "death_close", clash)
    response = panel.post(url("close", death.pk), date_parts("closed_on", today()), follow=True)
    assert response.status_code == 200
    assert "Someone else changed this case while you were closing it" in (response.content.decode())


# Referring to the Case Review subgroup --------------------------------------------------------


@pytest.fixture
def concluded(death, categories, cdop_member):
    ensure_review_types()
    services.panel_review_save(
        death=death,
        by=cdop_member,
        category=categories[0],
        modifiable=Modifiable.YES,
        summary="Neglect was a factor.",
        abuse_or_neglect_factor=True,
    )
    AgencyInformationFactory(death=death, received_on=days_ago(3))
    return death


def test_the_panel_refers_a_case_and_sees_the_notifications_reference(panel, concluded):
    page = panel.get(url("refer", concluded.pk)).content.decode()
    assert escape(concluded.child_name) in page
    response = panel.post(url("refer", concluded.pk), {"notifier_phone": PHONE}, follow=True)
    notification = Notification.objects.get()
    assert notification.status == "submitted"
    text = response.content.decode()
    assert f"serious incident notification {notification.reference}" in text
    assert ChildDeath.objects.get(pk=concluded.pk).referred_to_case_review == notification


def test_a_case_is_referred_once_through_the_form(panel, concluded):
    panel.post(url("refer", concluded.pk), {"notifier_phone": PHONE})
    again = panel.post(url("refer", concluded.pk), {"notifier_phone": PHONE})
    assert "already been referred" in assert_error_page(again)
    assert Notification.objects.count() == 1


def test_a_case_without_abuse_or_neglect_is_not_referred_through_the_form(
    panel, death, categories, cdop_member
):
    ensure_review_types()
    review_ready(death, categories, cdop_member)
    AgencyInformationFactory(death=death, received_on=days_ago(3))
    assert (
        escape(services.NOT_ABUSE_OR_NEGLECT) in panel.get(url("refer", death.pk)).content.decode()
    )
    response = panel.post(url("refer", death.pk), {"notifier_phone": PHONE})
    assert escape(services.NOT_ABUSE_OR_NEGLECT) in assert_error_page(response)
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    "data",
    [{}, {"notifier_phone": "x" * 41}, {"notifier_phone": "\x00"}, {"notifier_phone": "call me"}],
    ids=["missing", "long", "null", "not a number"],
)
def test_the_refer_form_refuses_bad_telephone_numbers(panel, concluded, data):
    assert_error_page(panel.post(url("refer", concluded.pk), data), "notifier_phone")
    assert not Notification.objects.exists()
