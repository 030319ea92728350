"""Reviews' action plans: recommendations numbered in turn; actions given to an owner, who is
emailed once and reminded by the reminder engine; the list of actions for owners and the case
team; each update a dated history row, completing needing evidence, the ladder re-armed or
stopped, a stale update refused."""

from __future__ import annotations

import datetime
import re
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from casereview.models import PlanAction, PlanActionStatus, PlanActionUpdate, Recommendation
from casereview.services import reviews as services
from casereview.tasks.reviews import send_plan_action_assigned
from hscb.models import GroupFunction, Rag, SentReminder
from hscb.services import reminders as engine
from tests.casereview.factories import PlanActionFactory, RecommendationFactory, ReviewFactory
from tests.casereview.test_reviews_support import (
    NOT_CASE_TEAM,
    date_fields,
    days,
    name_the_child,
)
from tests.hscb.factories import AgencyFactory, UserFactory
from tests.hscb.test_bad_input import assert_error_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(board):
    return ReviewFactory()


@pytest.fixture
def recommendation(review):
    return RecommendationFactory(review=review, number=1)


@pytest.fixture
def owner(board):
    return UserFactory(email="owner@trust.example")


@pytest.fixture
def agency(db):
    return AgencyFactory(name="Acute Hospital Trust")


def create(recommendation, by, owner, agency, **changes) -> PlanAction:
    values = {
        "description": "Issue a joint protocol on injuries in babies.",
        "lead_agency": agency,
        "owner": owner,
        "due_date": days(60),
        **changes,
    }
    return services.plan_action_create(recommendation=recommendation, by=by, **values)


def action_form(person, agency, **changes) -> dict:
    return {
        "description": "Issue a joint protocol on injuries in babies.",
        "lead_agency": str(agency.pk),
        "owner": str(person.pk),
        "rag": "amber",
        **date_fields("due_date", days(60)),
        **changes,
    }


# Recommendations --------------------------------------------------------------------------------


def test_recommendations_are_numbered_in_turn(client, secretariat, review):
    RecommendationFactory(review=review, number=1)
    RecommendationFactory(review=review, number=2)
    client.force_login(secretariat)
    text = client.get(f"{review.get_absolute_url()}recommendations/new/").content.decode()
    assert "Add recommendation 3" in text
    response = client.post(
        f"{review.get_absolute_url()}recommendations/new/", {"text": "Train the GPs."}
    )
    assert response.status_code == 302
    assert response.url == f"{review.get_absolute_url()}#recommendation-3"
    assert Recommendation.objects.get(review=review, number=3).text == "Train the GPs."
    other = ReviewFactory()
    assert services.recommendation_create(review=other, by=secretariat, text="A").number == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [("  ", "Enter the recommendation"), ("x" * 5001, "5,000 characters or fewer")],
)
def test_a_recommendation_needs_its_text(client, secretariat, review, text, message):
    with pytest.raises(ValidationError) as refused:
        services.recommendation_create(review=review, by=secretariat, text=text)
    assert message in refused.value.message_dict["text"][0]
    client.force_login(secretariat)
    response = client.post(f"{review.get_absolute_url()}recommendations/new/", {"text": text})
    assert message in assert_error_page(response, "text")
    assert not Recommendation.objects.exists()


# Creating an action -----------------------------------------------------------------------------


def test_a_new_action_is_armed_recorded_and_its_owner_emailed(
    secretariat, recommendation, owner, agency, django_capture_on_commit_callbacks
):
    name_the_child(recommendation.review)
    with django_capture_on_commit_callbacks(execute=True):
        action = create(recommendation, secretariat, owner, agency)
        assert not mail.outbox  # nothing goes before the transaction commits
    action.refresh_from_db()
    assert action.group.function == GroupFunction.CASE_REVIEW
    assert (action.rag, action.status) == (Rag.AMBER, PlanActionStatus.OPEN)
    assert action.reminder_next_on == days(30)
    assert action.reminder_last_sent is None
    first = action.updates.get()
    assert (first.rag, first.status, first.by) == (Rag.AMBER, PlanActionStatus.OPEN, secretariat)
    assert "Recorded and given to" in first.note
    assert first.emailed_at is not None
    [email] = mail.outbox
    assert email.to == ["owner@trust.example"]
    reference = recommendation.review.notification.reference
    assert reference in email.subject and reference in email.body
    assert action.get_absolute_url() in email.body
    html = email.alternatives[0][0]
    assert action.get_absolute_url() in html
    for text in (email.subject, email.body, html):
        assert "Zephyrine" not in text and "Quillfeather" not in text
        assert action.description not in text


def test_the_email_task_run_twice_sends_one_email(
    secretariat, recommendation, owner, agency, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        action = create(recommendation, secretariat, owner, agency)
    update = action.updates.get()
    assert len(mail.outbox) == 1
    assert send_plan_action_assigned(update.pk) is False
    assert send_plan_action_assigned.delay(update.pk).get() is False
    assert len(mail.outbox) == 1


def test_a_failed_email_gives_its_claim_back_for_the_retry(
    secretariat, recommendation, owner, agency, django_capture_on_commit_callbacks
):
    with (
        mock.patch("casereview.services.reviews.send_templated_email", side_effect=ConnectionError),
        django_capture_on_commit_callbacks(execute=True),
    ):
        action = create(recommendation, secretariat, owner, agency)
    update = action.updates.get()
    assert update.emailed_at is None and not mail.outbox
    assert send_plan_action_assigned(update.pk) is True
    assert len(mail.outbox) == 1


def test_no_email_when_the_owner_records_their_own_action(
    case_review_member, recommendation, agency, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        create(recommendation, case_review_member, case_review_member, agency)
    assert not callbacks
    assert not mail.outbox


def test_no_email_for_an_action_completed_before_the_task_ran(
    secretariat, recommendation, owner, agency
):
    with mock.patch("casereview.services.reviews.queue_after_commit"):
        action = create(recommendation, secretariat, owner, agency)
    PlanAction.objects.filter(pk=action.pk).update(status=PlanActionStatus.COMPLETE)
    assert send_plan_action_assigned(action.updates.get().pk) is False
    assert not mail.outbox


def test_the_form_adds_an_action_with_amber_by_default(
    client, secretariat, recommendation, owner, agency
):
    client.force_login(secretariat)
    url = f"/case-review/recommendations/{recommendation.pk}/actions/new/"
    text = client.get(url).content.decode()
    assert re.search(r'value="amber"\s+checked', text)
    assert escape(recommendation.text) in text
    response = client.post(url, action_form(owner, agency))
    review = recommendation.review
    assert response.url == f"{review.get_absolute_url()}#recommendation-1"
    action = PlanAction.objects.get()
    assert (action.owner, action.lead_agency, action.due_date) == (owner, agency, days(60))
    text = client.get(review.get_absolute_url()).content.decode()
    assert escape(owner.get_full_name()) in text and "Acute Hospital Trust" in text


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"due_date": days(-1)}, "due_date", "The due date must be today or in the future"),
        ({"due_date": days(2000)}, "due_date", "within the next 5 years"),
        ({"description": " "}, "description", "Enter the action"),
        ({"description": "x" * 5001}, "description", "5,000 characters or fewer"),
    ],
)
def test_action_rules_are_kept_by_the_service_and_the_form(
    client, secretariat, recommendation, owner, agency, changes, field, message
):
    with pytest.raises(ValidationError) as refused:
        create(recommendation, secretariat, owner, agency, **changes)
    assert message in " ".join(refused.value.message_dict[field])
    posted = {k: v for k, v in changes.items() if k != "due_date"}
    if "due_date" in changes:
        posted.update(date_fields("due_date", changes["due_date"]))
    client.force_login(secretariat)
    response = client.post(
        f"/case-review/recommendations/{recommendation.pk}/actions/new/",
        action_form(owner, agency, **posted),
    )
    assert message in assert_error_page(response, field)
    assert not PlanAction.objects.exists()


def test_a_closed_account_or_agency_cannot_be_given_an_action(
    client, secretariat, recommendation, agency
):
    gone = UserFactory(is_active=False)
    old = AgencyFactory(name="Old Trust", is_active=False)
    with pytest.raises(ValidationError) as refused:
        create(recommendation, secretariat, gone, old)
    assert "account is open" in refused.value.message_dict["owner"][0]
    assert "Old Trust no longer takes part" in refused.value.message_dict["lead_agency"][0]
    client.force_login(secretariat)
    response = client.post(
        f"/case-review/recommendations/{recommendation.pk}/actions/new/",
        action_form(gone, old),
    )
    text = assert_error_page(response, "lead_agency", "owner")
    assert "Choose the lead agency from the list" in text
    assert "Choose the owner from the list" in text


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"rag": "purple"}, "rag_1", "Choose red, amber or green"),
        ({"owner": "abc"}, "owner", "Choose the owner from the list"),
        ({"owner": "99999999999999999999999"}, "owner", "Choose the owner from the list"),
        ({"lead_agency": "99999999999999999999999"}, "lead_agency", "from the list"),
        ({"lead_agency": ""}, "lead_agency", "Choose the lead agency"),
        ({"description": "a\x00b"}, "description", "Null characters are not allowed"),
        ({"due_date_0": "31", "due_date_1": "2"}, "due_date", "must be a real date"),
    ],
)
def test_the_action_form_refuses_garbage(
    client, secretariat, recommendation, owner, agency, changes, field, message
):
    client.force_login(secretariat)
    response = client.post(
        f"/case-review/recommendations/{recommendation.pk}/actions/new/",
        action_form(owner, agency, **changes),
    )
    assert message in assert_error_page(response, field)
    assert not PlanAction.objects.exists()


# The list of actions ----------------------------------------------------------------------------


def test_owners_see_their_own_actions_and_the_case_team_sees_all(
    client, secretariat, member, board
):
    mine = PlanActionFactory(owner=member, description="Mine to do.")
    theirs = PlanActionFactory(description="Someone else's.")
    client.force_login(member)
    text = client.get("/case-review/plan-actions/").content.decode()
    assert "Mine to do." in text and "Someone else" not in text
    assert mine.recommendation.review.notification.reference in text
    assert "Your review actions" in text
    client.force_login(secretariat)
    text = client.get("/case-review/plan-actions/").content.decode()
    assert "Mine to do." in text and "Someone else&#x27;s." in text
    assert theirs.get_absolute_url() in text


@pytest.mark.parametrize("role", ["agency_staff", "outsider", "board_chair"])
def test_anyone_signed_in_gets_the_list_with_only_their_own(client, request, role, board):
    PlanActionFactory(description="Not theirs.")
    client.force_login(request.getfixturevalue(role))
    response = client.get("/case-review/plan-actions/")
    assert response.status_code == 200
    assert "Not theirs." not in response.content.decode()


def test_the_list_filters_by_status_rag_agency_and_overdue(client, secretariat, board):
    police = AgencyFactory(name="County Police")
    PlanActionFactory(description="Open red.", rag=Rag.RED, lead_agency=police)
    PlanActionFactory(description="Done green.", rag=Rag.GREEN, status=PlanActionStatus.COMPLETE)
    late = PlanActionFactory(description="Late amber.")
    PlanAction.objects.filter(pk=late.pk).update(due_date=days(-3))
    client.force_login(secretariat)

    def shown(query: str) -> set[str]:
        text = client.get(f"/case-review/plan-actions/?{query}").content.decode()
        return {d for d in ("Open red.", "Done green.", "Late amber.") if d in text}

    assert shown("") == {"Open red.", "Late amber."}
    assert shown("status=any") == {"Open red.", "Done green.", "Late amber."}
    assert shown("status=complete") == {"Done green."}
    assert shown("status=any&rag=green") == {"Done green."}
    assert shown("lead_agency=county+POLICE") == {"Open red."}
    assert shown("lead_agency=police+zeta") == set()
    assert shown("overdue=on") == {"Late amber."}
    assert "3 days overdue" in client.get("/case-review/plan-actions/").content.decode()
    text = client.get("/case-review/plan-actions/?status=nonsense&rag=x").content.decode()
    assert "There is a problem" in text and "Open red." in text and "Done green." not in text


def test_the_list_searches_lead_agencies_rather_than_listing_them(client, secretariat, board):
    """The filter does not offer every lead agency: the page would grow with them."""
    PlanActionFactory(
        description="For Quillford.", lead_agency=AgencyFactory(name="Quillford Trust")
    )
    PlanActionFactory(description="For Zebedee.", lead_agency=AgencyFactory(name="Zebedee Council"))
    client.force_login(secretariat)

    text = client.get("/case-review/plan-actions/?lead_agency=quillford").content.decode()

    form = text[text.index('method="get"') :]
    form = form[: form.index("</form>")]
    assert '<select name="lead_agency"' not in form
    assert 'name="lead_agency" value="quillford"' in form
    assert "Zebedee" not in form and "Quillford Trust" not in form
    assert "For Quillford." in text and "For Zebedee." not in text


def test_the_list_runs_a_fixed_number_of_queries(
    client, secretariat, member, board, django_assert_max_num_queries
):
    PlanActionFactory(owner=member)
    for user in (secretariat, member):
        client.force_login(user)
        client.get("/case-review/plan-actions/")
        with CaptureQueriesContext(connection) as few:
            assert client.get("/case-review/plan-actions/").status_code == 200
        for _ in range(6):
            PlanActionFactory(owner=member, recommendation=RecommendationFactory())
        with django_assert_max_num_queries(len(few)):
            response = client.get("/case-review/plan-actions/?status=any")
        assert response.content.decode().count("/case-review/plan-actions/") >= 7


# One action: its page and its updates -----------------------------------------------------------


@pytest.fixture
def action(review, owner):
    with time_machine.travel(timezone.now() - datetime.timedelta(days=1)):
        action = PlanActionFactory(
            recommendation=RecommendationFactory(review=review, number=1), owner=owner
        )
        PlanActionUpdate.objects.create(
            action=action, rag=Rag.AMBER, status="open", note="Recorded.", by=owner
        )
    return action


def update(action, by, **changes) -> PlanActionUpdate:
    values = {
        "note": "Drafted the protocol.",
        "rag": action.rag,
        "status": action.status,
        "evidence": action.evidence,
        "seen_update": services.latest_update_pk(action),
        **changes,
    }
    return services.plan_action_update(action=action, by=by, **values)


def update_form(action, **changes) -> dict:
    return {
        "seen_update": str(services.latest_update_pk(action) or ""),
        "rag": action.rag,
        "status": action.status,
        "evidence": action.evidence,
        "note": "Drafted the protocol.",
        **changes,
    }


@pytest.mark.parametrize("role", ["owner", "secretariat", "case_review_member"])
def test_the_owner_and_the_case_team_see_the_action_and_its_history(client, request, role, action):
    name_the_child(action.recommendation.review)
    client.force_login(request.getfixturevalue(role))
    text = client.get(action.get_absolute_url()).content.decode()
    assert action.recommendation.review.notification.reference in text
    assert "Recorded." in text and "Issue a joint protocol" in text
    assert f"/case-review/plan-actions/{action.pk}/update/" in text
    assert "Quillfeather" not in text
    assert client.get(f"{action.get_absolute_url()}update/").status_code == 200


@pytest.mark.parametrize("role", NOT_CASE_TEAM)
def test_the_action_is_not_found_for_anyone_else(client, request, role, action):
    client.force_login(request.getfixturevalue(role))
    assert client.get(action.get_absolute_url()).status_code == 404
    assert client.get(f"{action.get_absolute_url()}update/").status_code == 404
    assert client.post(f"{action.get_absolute_url()}update/", {}).status_code == 404


def test_each_update_is_a_dated_history_row(client, owner, action):
    client.force_login(owner)
    response = client.post(
        f"{action.get_absolute_url()}update/", update_form(action, rag="red", note="Stuck.")
    )
    assert response.status_code == 302 and response.url == action.get_absolute_url()
    response = client.post(
        f"{action.get_absolute_url()}update/",
        update_form(action, rag="green", note="Moving again."),
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.rag == Rag.GREEN
    history = list(action.updates.order_by("pk"))
    assert [(u.rag, u.note, u.by) for u in history[1:]] == [
        (Rag.RED, "Stuck.", owner),
        (Rag.GREEN, "Moving again.", owner),
    ]
    text = client.get(action.get_absolute_url()).content.decode()
    assert text.index("Moving again.") < text.index("Stuck.") < text.index("Recorded.")
    assert "RAG: Red" in text and "RAG: Green" in text


def test_completing_needs_evidence_in_the_service_and_the_form(client, owner, action):
    with pytest.raises(ValidationError) as refused:
        update(action, owner, status="complete", evidence=" ")
    assert refused.value.message_dict["evidence"] == [services.EVIDENCE_MESSAGE]
    client.force_login(owner)
    response = client.post(
        f"{action.get_absolute_url()}update/",
        update_form(action, status="complete", note="All done."),
    )
    text = assert_error_page(response, "evidence")
    assert services.EVIDENCE_MESSAGE in text and "All done." in text
    action.refresh_from_db()
    assert action.status == PlanActionStatus.OPEN and action.updates.count() == 1


def test_completing_stops_the_reminders_and_reopening_rearms_them(client, owner, action):
    PlanAction.objects.filter(pk=action.pk).update(reminder_last_sent=-7, reminder_next_on=days(1))
    action.refresh_from_db()
    client.force_login(owner)
    response = client.post(
        f"{action.get_absolute_url()}update/",
        update_form(
            action,
            status="complete",
            rag="green",
            evidence="Protocol issued on 1 May.",
            note="Done.",
        ),
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.status, action.completed_on) == (PlanActionStatus.COMPLETE, days(0))
    assert action.reminder_next_on is None
    latest = action.updates.order_by("-pk").first()
    assert latest.evidence == "Protocol issued on 1 May." and latest.status == "complete"
    update(action, owner, status="open", note="The protocol was withdrawn.")
    action.refresh_from_db()
    assert (action.status, action.completed_on) == (PlanActionStatus.OPEN, None)
    assert action.reminder_next_on == action.due_date - datetime.timedelta(days=30)
    assert action.reminder_last_sent is None
    assert "Reopened." in action.updates.order_by("-pk").first().note


def test_the_case_team_moves_the_due_date_and_owner_which_rearms_the_ladder(
    client, secretariat, owner, action, django_capture_on_commit_callbacks
):
    PlanAction.objects.filter(pk=action.pk).update(reminder_last_sent=-30, reminder_next_on=days(9))
    action.refresh_from_db()
    new_owner = UserFactory(email="new.owner@police.example")
    client.force_login(secretariat)
    text = client.get(f"{action.get_absolute_url()}update/").content.decode()
    assert "due_date_0" in text and 'name="owner"' in text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{action.get_absolute_url()}update/",
            update_form(
                action,
                owner=str(new_owner.pk),
                note="Handed to the police.",
                **date_fields("due_date", days(90)),
            ),
        )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.owner, action.due_date) == (new_owner, days(90))
    assert (action.reminder_last_sent, action.reminder_next_on) == (None, days(60))
    latest = action.updates.order_by("-pk").first()
    assert "Owner changed from" in latest.note and "Due date changed from" in latest.note
    assert [m.to for m in mail.outbox] == [["new.owner@police.example"]]


def test_the_owner_cannot_move_their_own_due_date_or_give_the_action_away(client, owner, action):
    due = action.due_date
    client.force_login(owner)
    text = client.get(f"{action.get_absolute_url()}update/").content.decode()
    assert "due_date_0" not in text and 'name="owner"' not in text
    with pytest.raises(PermissionDenied):
        update(action, owner, due_date=days(100))
    with pytest.raises(PermissionDenied):
        update(action, owner, owner=UserFactory())
    client.post(
        f"{action.get_absolute_url()}update/",
        update_form(action, **date_fields("due_date", days(100))),
    )
    action.refresh_from_db()
    assert action.due_date == due


def test_an_overdue_action_keeps_its_date_when_the_case_team_does_not_move_it(
    client, secretariat, action
):
    PlanAction.objects.filter(pk=action.pk).update(due_date=days(-5))
    action.refresh_from_db()
    client.force_login(secretariat)
    response = client.post(
        f"{action.get_absolute_url()}update/",
        update_form(action, owner=str(action.owner_id), **date_fields("due_date", days(-5))),
    )
    assert response.status_code == 302
    response = client.post(
        f"{action.get_absolute_url()}update/",
        update_form(action, owner=str(action.owner_id), **date_fields("due_date", days(-2))),
    )
    assert "must be today or in the future" in assert_error_page(response, "due_date")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"note": " "}, "note", "Enter a progress note"),
        ({"note": "x" * 5001}, "note", "5,000 characters or fewer"),
        ({"evidence": "x" * 10001}, "evidence", "10,000 characters or fewer"),
        ({"rag": "blue"}, "rag", "Choose red, amber or green"),
        ({"status": "cancelled"}, "status", "Choose open or complete"),
    ],
)
def test_update_rules_are_kept_by_the_service(owner, action, changes, field, message):
    with pytest.raises(ValidationError) as refused:
        update(action, owner, **changes)
    assert message in " ".join(refused.value.message_dict[field])
    assert action.updates.count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"note": ""}, "note", "Enter a progress note"),
        ({"note": "x" * 5001}, "note", "5,000 characters or fewer"),
        ({"rag": "blue"}, "rag_1", "Choose red, amber or green"),
        ({"status": "cancelled"}, "status_1", "Choose whether the action is open or complete"),
        ({"evidence": "a\x00"}, "evidence", "Null characters are not allowed"),
    ],
)
def test_the_update_form_refuses_bad_input(client, owner, action, changes, field, message):
    client.force_login(owner)
    response = client.post(f"{action.get_absolute_url()}update/", update_form(action, **changes))
    assert message in assert_error_page(response, field)
    assert action.updates.count() == 1


def test_a_stale_update_is_refused_and_nothing_overwritten(client, secretariat, owner, action):
    seen = services.latest_update_pk(action)
    update(action, secretariat, rag="red", note="The chair made it red.")
    stale = PlanAction.objects.get(pk=action.pk)
    with pytest.raises(services.PlanActionChanged):
        services.plan_action_update(
            action=stale,
            by=owner,
            note="Still amber, I think.",
            rag="amber",
            status="open",
            evidence="",
            seen_update=seen,
        )
    client.force_login(owner)
    form = update_form(action, rag="amber", note="Still amber, I think.")
    form["seen_update"] = str(seen)
    text = assert_error_page(client.post(f"{action.get_absolute_url()}update/", form))
    assert "Someone else updated this action while you were writing" in text
    assert "Still amber, I think." in text
    action.refresh_from_db()
    assert action.rag == Rag.RED and action.updates.count() == 2
    form["seen_update"] = str(services.latest_update_pk(action))
    assert client.post(f"{action.get_absolute_url()}update/", form).status_code == 302


def test_a_garbled_version_is_refused_above_the_form(client, owner, action):
    client.force_login(owner)
    form = update_form(action, seen_update="99999999999999999999999")
    text = assert_error_page(client.post(f"{action.get_absolute_url()}update/", form))
    assert "This form was out of date" in text
    assert action.updates.count() == 1


def test_an_update_keeps_the_reminder_runs_changes_made_meanwhile(owner, action):
    stale = PlanAction.objects.get(pk=action.pk)
    PlanAction.objects.filter(pk=action.pk).update(reminder_last_sent=-7, reminder_next_on=days(6))
    update(stale, owner, rag="red", note="Slipping.")
    action.refresh_from_db()
    assert action.rag == Rag.RED
    assert (action.reminder_last_sent, action.reminder_next_on) == (-7, days(6))


# Reminders --------------------------------------------------------------------------------------


def test_the_owner_is_reminded_by_the_engine_naming_the_reference_not_the_child(
    secretariat, recommendation, owner, agency
):
    name_the_child(recommendation.review)
    action = create(recommendation, secretariat, owner, agency, due_date=days(30))
    mail.outbox.clear()
    report = engine.reminders_send(today=days(0))
    assert report.emails == 1
    [email] = mail.outbox
    assert email.to == [owner.email]
    reference = recommendation.review.notification.reference
    assert reference in email.body and "review action plan action" in email.body
    assert action.get_absolute_url() in email.body
    assert "Zephyrine" not in email.body and "Quillfeather" not in email.body
    assert SentReminder.objects.filter(object_id=action.pk, recipient=owner).count() == 1
    assert engine.reminders_send(today=days(0)).emails == 0


def test_a_completed_action_is_not_reminded(secretariat, recommendation, owner, agency):
    action = create(recommendation, secretariat, owner, agency, due_date=days(30))
    update(action, owner, status="complete", evidence="Done and dusted.")
    mail.outbox.clear()
    assert engine.reminders_send(today=days(40)).emails == 0


# The owner's home page -------------------------------------------------------------------------


def test_the_owners_home_page_counts_their_open_review_actions_and_links_to_them(
    client, recommendation
):
    owner = UserFactory(agency=AgencyFactory(name="Hertfordshire Community NHS Trust"))
    today = timezone.localdate()
    PlanActionFactory(recommendation=recommendation, owner=owner)
    PlanActionFactory(
        recommendation=recommendation, owner=owner, due_date=today - datetime.timedelta(days=2)
    )
    PlanActionFactory(recommendation=recommendation, owner=owner, status=PlanActionStatus.COMPLETE)
    PlanActionFactory(recommendation=recommendation)  # someone else's
    client.force_login(owner)
    text = client.get("/").content.decode()
    assert '<span class="app-figure">2</span> open review action plan actions' in text
    assert ">1 overdue</strong>" in text
    assert 'href="/case-review/plan-actions/">Open the list of review action plan actions' in text
    # Nothing of the case: no reference, no child.
    assert recommendation.review.notification.reference not in text
    assert escape(recommendation.review.notification.last_name) not in text


def test_a_home_page_without_review_actions_says_nothing_of_them(client, board):
    someone = UserFactory()
    PlanActionFactory(status=PlanActionStatus.COMPLETE, owner=someone)
    client.force_login(someone)
    text = client.get("/").content.decode()
    assert "review action plan action" not in text
    assert "You have no open actions." in text


def test_the_home_page_counts_review_actions_in_one_query_however_many(client, recommendation):
    owner = UserFactory()
    PlanActionFactory(recommendation=recommendation, owner=owner)
    client.force_login(owner)
    client.get("/")  # sessions and caches warmed
    with CaptureQueriesContext(connection) as one:
        client.get("/")
    PlanActionFactory.create_batch(5, recommendation=recommendation, owner=owner)
    with CaptureQueriesContext(connection) as six:
        text = client.get("/").content.decode()
    assert '<span class="app-figure">6</span> open review action plan actions' in text
    assert len(six.captured_queries) == len(one.captured_queries)
