"""The secretariat keeps the business plan in the admin: plans with their priorities and
resources, priorities with their targets. Ratings are not typed in there: they go through the
progress page so that each one is in the priority's history."""

from __future__ import annotations

import pytest
from django.utils.html import escape

from hscb.models import BusinessPlan, GroupFunction, GroupResource, Priority, Rag, Target
from hscb.services.plan import priority_progress_update
from tests.hscb.factories import (
    BusinessPlanFactory,
    GroupResourceFactory,
    PriorityFactory,
    TargetFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, secretariat):
    client.force_login(secretariat)
    return client


def _management(prefix: str, total: int, initial: int = 0) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_the_secretariat_adds_a_plan_with_priorities_and_resources(admin_client, board):
    data = {
        "year": "2026",
        "title": "Keeping children safe together",
        "summary": "The board's plan.",
        **_management("priorities", 2),
        "priorities-0-number": "1",
        "priorities-0-title": "Neglect is spotted early",
        "priorities-1-number": "2",
        "priorities-1-title": "Children missing education are found",
        **_management("resources", 1),
        "resources-0-group": str(board[GroupFunction.AUDIT].pk),
        "resources-0-description": "Two multi-agency audits",
        "resources-0-budget": "4000.00",
    }
    response = admin_client.post("/admin/hscb/businessplan/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    plan = BusinessPlan.objects.get(year=2026)
    assert list(plan.priorities.values_list("number", "title")) == [
        (1, "Neglect is spotted early"),
        (2, "Children missing education are found"),
    ]
    resource = GroupResource.objects.get(plan=plan)
    assert resource.group.function == GroupFunction.AUDIT and resource.budget == 4000


def test_two_priorities_with_the_same_number_are_refused(admin_client, board):
    data = {
        "year": "2026",
        **_management("priorities", 2),
        "priorities-0-number": "1",
        "priorities-0-title": "First",
        "priorities-1-number": "1",
        "priorities-1-title": "Second",
        **_management("resources", 0),
    }
    response = admin_client.post("/admin/hscb/businessplan/add/", data)
    assert response.status_code == 200
    assert "Please correct the duplicate data for number" in response.content.decode()
    assert not BusinessPlan.objects.exists()


def test_a_second_plan_for_the_same_year_is_refused(admin_client, board):
    BusinessPlanFactory(year=2026)
    data = {"year": "2026", **_management("priorities", 0), **_management("resources", 0)}
    response = admin_client.post("/admin/hscb/businessplan/add/", data)
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert BusinessPlan.objects.count() == 1


def test_a_group_has_one_row_of_resources_per_plan(admin_client, board):
    plan = BusinessPlanFactory(year=2026)
    audit = board[GroupFunction.AUDIT]
    GroupResourceFactory(plan=plan, group=audit)
    response = admin_client.post(
        f"/admin/hscb/businessplan/{plan.pk}/change/",
        {
            "year": "2026",
            **_management("priorities", 0),
            **_management("resources", 2, initial=1),
            "resources-0-id": str(plan.resources.get().pk),
            "resources-0-plan": str(plan.pk),
            "resources-0-group": str(audit.pk),
            "resources-0-description": "As before",
            "resources-1-plan": str(plan.pk),
            "resources-1-group": str(audit.pk),
            "resources-1-description": "Again",
        },
    )
    assert response.status_code == 200
    assert "Please correct the duplicate data for group" in response.content.decode()
    assert plan.resources.count() == 1


def test_a_plan_s_priorities_cannot_be_deleted_from_its_page_but_resources_can(admin_client, board):
    priority = PriorityFactory(plan=BusinessPlanFactory(year=2026))
    GroupResourceFactory(plan=priority.plan, group=board[GroupFunction.AUDIT])
    text = admin_client.get(f"/admin/hscb/businessplan/{priority.plan.pk}/change/").content
    assert b'name="priorities-0-DELETE"' not in text
    assert b'name="resources-0-DELETE"' in text
    response = admin_client.post(f"/admin/hscb/businessplan/{priority.plan.pk}/delete/")
    assert response.status_code == 403
    assert BusinessPlan.objects.exists()


def test_the_priority_page_shows_the_rating_read_only_with_its_history(
    admin_client, board, board_chair
):
    priority = PriorityFactory(rag="", commentary="")
    priority_progress_update(
        priority=priority, rag=Rag.RED, commentary="Needs the board's help.", by=board_chair
    )
    text = admin_client.get(f"/admin/hscb/priority/{priority.pk}/change/").content.decode()
    assert 'name="rag"' not in text and 'name="commentary"' not in text
    assert "History of ratings" in text
    assert escape("Needs the board's help.") in text
    assert f'href="/plan/priorities/{priority.pk}/progress/"' in text
    assert 'name="updates-0-commentary"' not in text


def test_saving_a_priority_in_the_admin_keeps_its_rating_and_edits_targets(admin_client, board):
    priority = PriorityFactory(rag=Rag.GREEN, commentary="On track.")
    target = TargetFactory(priority=priority, text="Old target")
    io = board[GroupFunction.IMPROVING_OUTCOMES]
    response = admin_client.post(
        f"/admin/hscb/priority/{priority.pk}/change/",
        {
            "plan": str(priority.plan.pk),
            "number": str(priority.number),
            "title": "Neglect is spotted early",
            "groups": [str(io.pk)],
            "rag": "red",  # not a field here: ignored
            "commentary": "Typed in the admin",
            **_management("targets", 2, initial=1),
            "targets-0-id": str(target.pk),
            "targets-0-priority": str(priority.pk),
            "targets-0-order": "1",
            "targets-0-text": "Old target",
            "targets-0-DELETE": "on",
            "targets-1-priority": str(priority.pk),
            "targets-1-order": "2",
            "targets-1-text": "Every agency uses the neglect toolkit",
            "targets-1-measure": "Audit of 40 cases a quarter",
            "targets-1-due_date": "2027-03-31",
            **_management("updates", 0),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    priority.refresh_from_db()
    assert (priority.rag, priority.commentary) == (Rag.GREEN, "On track.")
    assert priority.title == "Neglect is spotted early"
    assert list(priority.groups.all()) == [io]
    assert list(Target.objects.values_list("text", flat=True)) == [
        "Every agency uses the neglect toolkit"
    ]
    assert not priority.updates.exists()


def test_priorities_cannot_be_deleted(admin_client, board):
    priority = PriorityFactory()
    response = admin_client.post(f"/admin/hscb/priority/{priority.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert Priority.objects.filter(pk=priority.pk).exists()
