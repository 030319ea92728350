"""People in the admin: the secretariat cannot change another staff account's email or rights,
nor their own rights (a superuser can); and the notice of a changed email goes to the old
address as the history recorded it, never to an address handed to the task."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Group as PermissionGroup
from django.core import mail
from django.core.exceptions import PermissionDenied

from hscb import tasks
from hscb.models import User
from hscb.rules import SECRETARIAT_GROUP
from hscb.services import board as services
from tests.hscb.factories import UserFactory

pytestmark = pytest.mark.django_db

RIGHTS = {"is_active", "is_staff", "is_superuser", "is_safeguarding_lead", "groups"}


@pytest.fixture
def colleague(secretariat):
    """Another member of the business unit: a staff account."""
    user = UserFactory(email="colleague@board.example", is_staff=True, agency=secretariat.agency)
    user.groups.add(PermissionGroup.objects.get(name=SECRETARIAT_GROUP))
    return user


@pytest.fixture
def superuser(board):
    return UserFactory(is_staff=True, is_superuser=True, email="root@board.example")


def url(user: User) -> str:
    return f"/admin/hscb/user/{user.pk}/change/"


def page_data(response, **changes) -> dict[str, object]:
    """What the change page sends back untouched (with `changes`): its editable fields and the
    management form of the memberships inline."""
    form = response.context["adminform"].form
    data: dict[str, object] = {}
    for name in form.fields:
        value = form.initial.get(name)
        if name == "groups":
            data[name] = [str(getattr(g, "pk", g)) for g in value or []]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = str(getattr(value, "pk", value))
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = str(management.initial.get(name, ""))
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def rights(user: User) -> dict[str, object]:
    user = User.objects.get(pk=user.pk)
    return {
        "email": user.email,
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "is_safeguarding_lead": user.is_safeguarding_lead,
        "groups": set(user.groups.values_list("name", flat=True)),
    }


def test_the_secretariat_sees_another_staff_accounts_email_and_rights_read_only(
    client, secretariat, colleague
):
    client.force_login(secretariat)
    page = client.get(url(colleague))
    assert page.status_code == 200
    fields = set(page.context["adminform"].form.fields)
    assert not fields & (RIGHTS | {"email"})
    assert {"first_name", "last_name", "job_title", "agency"} <= fields
    text = page.content.decode()
    assert colleague.email in text
    assert "Only a superuser can change a staff account's email address or access." in text


def test_a_forged_post_changes_no_staff_accounts_email_or_rights(
    client, secretariat, colleague, django_capture_on_commit_callbacks
):
    before = rights(colleague)
    client.force_login(secretariat)
    data = page_data(
        client.get(url(colleague)),
        first_name="Renamed",
        email="collector@elsewhere.example",
        is_superuser="on",
        is_safeguarding_lead="on",
        groups=[],
    )  # is_active and is_staff unticked: switched off, if they were taken
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(colleague), data)
    assert response.status_code == 302
    assert rights(colleague) == before
    assert User.objects.get(pk=colleague.pk).first_name == "Renamed"
    assert mail.outbox == []


def test_the_secretariat_changes_their_own_email_but_not_their_own_rights(
    client, secretariat, django_capture_on_commit_callbacks
):
    client.force_login(secretariat)
    page = client.get(url(secretariat))
    assert "email" in page.context["adminform"].form.fields
    assert not set(page.context["adminform"].form.fields) & RIGHTS
    assert "Only a superuser can change your own access." in page.content.decode()
    data = page_data(page, email="New.Address@Board.example", is_active=None, is_staff=None)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url(secretariat), data).status_code == 302
    after = rights(secretariat)
    assert after["email"] == "new.address@board.example"
    assert after["is_staff"] and after["is_active"] and after["groups"] == {SECRETARIAT_GROUP}
    assert [m.to for m in mail.outbox] == [["secretariat@board.example"]]


def test_the_secretariat_still_changes_the_email_and_access_of_someone_not_staff(
    client, secretariat, agency_staff, django_capture_on_commit_callbacks
):
    client.force_login(secretariat)
    page = client.get(url(agency_staff))
    assert {"email", "is_active", "is_staff", "groups"} <= set(
        page.context["adminform"].form.fields
    )
    data = page_data(page, email="moved@agency.example", is_safeguarding_lead="on")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url(agency_staff), data).status_code == 302
    assert rights(agency_staff)["email"] == "moved@agency.example"
    assert rights(agency_staff)["is_safeguarding_lead"] is True
    assert [m.to for m in mail.outbox] == [["practitioner@agency.example"]]


def test_a_superuser_changes_a_staff_accounts_email_and_rights(
    client, superuser, colleague, django_capture_on_commit_callbacks
):
    client.force_login(superuser)
    page = client.get(url(colleague))
    assert RIGHTS | {"email"} <= set(page.context["adminform"].form.fields)
    data = page_data(page, email="colleague@new.example", is_staff=None, groups=[])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url(colleague), data).status_code == 302
    after = rights(colleague)
    assert (after["email"], after["is_staff"], after["groups"]) == (
        "colleague@new.example",
        False,
        set(),
    )
    assert [m.to for m in mail.outbox] == [["colleague@board.example"]]


@pytest.mark.parametrize(
    ("target", "change"),
    [
        ("colleague", {"email": "collector@elsewhere.example"}),
        ("colleague", {"is_staff": False}),
        ("colleague", {"is_active": False}),
        ("secretariat", {"is_staff": False}),
        ("secretariat", {"is_superuser": True}),
        ("member", {"is_superuser": True}),
    ],
)
def test_the_service_refuses_what_the_admin_does_not_offer(
    request, secretariat, colleague, target, change
):
    user = User.objects.get(pk=request.getfixturevalue(target).pk)
    before = rights(user)
    for name, value in change.items():
        setattr(user, name, value)
    with pytest.raises(PermissionDenied):
        services.user_update(user=user, editor=secretariat)
    assert rights(user) == before


def test_the_email_changed_notice_goes_to_the_address_the_history_recorded_once(
    member, secretariat, django_capture_on_commit_callbacks
):
    member.email = "moved@agency.example"
    with django_capture_on_commit_callbacks(execute=True):
        services.user_update(user=member, editor=secretariat)
    entry = LogEntry.objects.get_for_object(member).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.changes_dict["email"] == ["io.member@board.example", "moved@agency.example"]
    assert [m.to for m in mail.outbox] == [["io.member@board.example"]]
    assert "has been changed" in mail.outbox[0].body
    # The task run again (a retry, a duplicate delivery) sends nothing more.
    assert tasks.send_email_changed_notice.delay(entry.pk).get() is False
    assert len(mail.outbox) == 1


def test_the_email_changed_task_cannot_be_pointed_at_an_address(member, secretariat):
    member.first_name = "Renamed"
    services.user_update(user=member, editor=secretariat)
    not_an_email_change = LogEntry.objects.get_for_object(member).latest("pk")
    for forged in ["collector@elsewhere.example", not_an_email_change.pk, 10**9, True]:
        assert tasks.send_email_changed_notice.delay(forged).get() is False
    with pytest.raises(TypeError):
        tasks.send_email_changed_notice.delay(member.pk, "collector@elsewhere.example").get()
    assert mail.outbox == []
