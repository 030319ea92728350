"""The secretariat runs the board core from the admin: people, groups and memberships."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.utils.html import escape

from hscb.models import Group, GroupFunction, Membership, MembershipRole, User
from tests.hscb.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, secretariat):
    client.force_login(secretariat)
    return client


def test_adding_a_person_emails_them_a_link_to_set_their_password(
    admin_client, django_capture_on_commit_callbacks
):
    agency = AgencyFactory(name="Hertfordshire Constabulary")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/hscb/user/add/",
            {
                "email": "  Sam.Jones@Police.example ",
                "first_name": "Sam",
                "last_name": "Jones",
                "job_title": "Detective sergeant",
                "agency": agency.pk,
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(email="sam.jones@police.example")
    assert not user.has_usable_password() and user.agency == agency
    assert [m.to for m in mail.outbox] == [["sam.jones@police.example"]]
    assert "/accounts/welcome/" in mail.outbox[0].body


def test_adding_a_person_whose_email_exists_in_another_case_is_refused(admin_client, member):
    response = admin_client.post(
        "/admin/hscb/user/add/",
        {
            "email": member.email.upper(),
            "first_name": "A",
            "last_name": "B",
            "agency": member.agency.pk,
        },
    )
    assert response.status_code == 200
    assert "A user with this email address already exists." in response.content.decode()
    assert mail.outbox == []


def test_adding_a_person_needs_a_name_and_an_agency(admin_client):
    response = admin_client.post("/admin/hscb/user/add/", {"email": "x@agency.example"})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors.keys() == {"first_name", "last_name", "agency"}


def test_secretariat_cannot_make_anyone_a_superuser(admin_client, member):
    page = admin_client.get(f"/admin/hscb/user/{member.pk}/change/")
    assert "is_superuser" not in page.context["adminform"].form.fields
    assert "groups" in page.context["adminform"].form.fields


def test_membership_agency_defaults_to_the_persons_agency(admin_client, board):
    person = UserFactory()
    response = admin_client.post(
        "/admin/hscb/membership/add/",
        {
            "user": person.pk,
            "group": board[GroupFunction.AUDIT].pk,
            "role": MembershipRole.MEMBER,
            "agency": "",
            "start_date": "2026-04-01",
            "end_date": "",
        },
    )
    assert response.status_code == 302
    assert Membership.objects.get(user=person).agency == person.agency


def test_a_second_open_chair_is_refused_with_a_message(admin_client, board, group_chair):
    response = admin_client.post(
        "/admin/hscb/membership/add/",
        {
            "user": UserFactory().pk,
            "group": board[GroupFunction.IMPROVING_OUTCOMES].pk,
            "role": MembershipRole.CHAIR,
            "start_date": "2026-04-01",
        },
    )
    assert response.status_code == 200
    assert "already has a chair with no end date" in response.content.decode()


def test_group_list_shows_chairs_and_member_counts(admin_client, board, group_chair, member):
    text = admin_client.get("/admin/hscb/group/").content.decode()
    assert escape(group_chair.get_full_name()) in text
    changelist = admin_client.get("/admin/hscb/group/").context["cl"]
    row = next(g for g in changelist.result_list if g.function == GroupFunction.IMPROVING_OUTCOMES)
    assert row.member_count == 2


def test_group_change_page_has_objectives_and_members_inline(admin_client, board, member):
    group = board[GroupFunction.IMPROVING_OUTCOMES]
    text = admin_client.get(f"/admin/hscb/group/{group.pk}/change/").content.decode()
    assert "Identify operational priorities based on data." in text
    assert escape(str(member)) in text


def test_history_in_the_admin_shows_who_changed_what(admin_client, board, secretariat):
    group = board[GroupFunction.PERFORMANCE]
    response = admin_client.post(
        f"/admin/hscb/group/{group.pk}/change/",
        {
            "name": group.name,
            "slug": group.slug,
            "kind": group.kind,
            "function": group.function,
            "order": group.order,
            "quorum_members": "4",
            "is_active": "on",
            "remit": "Reads the numbers for the board.",
            "accountable_to": group.accountable_to_id,
            "objectives-TOTAL_FORMS": "0",
            "objectives-INITIAL_FORMS": "0",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = LogEntry.objects.get_for_object(Group.objects.get(pk=group.pk)).latest("timestamp")
    assert entry.actor == secretariat
    history = admin_client.get(f"/admin/hscb/group/{group.pk}/auditlog/").content.decode()
    assert "Reads the numbers for the board." in history


def test_sending_a_new_invitation_from_the_people_list(
    admin_client, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/hscb/user/", {"action": "send_new_invitation", "_selected_action": [member.pk]}
        )
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[member.email]]


def test_someone_signed_in_without_admin_access_is_told_so(client, member):
    client.force_login(member)
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403
    assert "for the board&#x27;s business unit" in response.content.decode()


def test_signing_in_from_the_admin_uses_the_service_sign_in_page(client, db):
    response = client.get("/admin/hscb/group/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/sign-in/?next=/admin/hscb/group/"


def test_admin_lists_run_a_fixed_number_of_queries(
    admin_client, board, django_assert_max_num_queries
):
    from tests.hscb.factories import GroupFactory, MembershipFactory

    def grow():
        for _ in range(3):
            group = GroupFactory(accountable_to=board[GroupFunction.STRATEGIC_BOARD])
            MembershipFactory(group=group, role=MembershipRole.CHAIR)
            MembershipFactory.create_batch(2, group=group)

    for url in ["/admin/hscb/group/", "/admin/hscb/membership/", "/admin/hscb/user/"]:
        grow()
        with django_assert_max_num_queries(30) as few:
            admin_client.get(url)
        grow()
        with django_assert_max_num_queries(len(few.captured_queries)):
            admin_client.get(url)


def test_the_history_of_a_record_that_is_not_there_is_not_found(admin_client, board):
    assert admin_client.get("/admin/hscb/group/999999/auditlog/").status_code == 404
    assert admin_client.get("/admin/hscb/agency/abc/auditlog/").status_code == 404


def test_the_people_list_has_no_list_of_every_agency_and_each_agency_links_to_its_people(
    admin_client, member, agency_staff
):
    people = admin_client.get("/admin/hscb/user/").content.decode()
    assert "By agency</" not in people and "?agency__id__exact=" not in people
    agencies = admin_client.get("/admin/hscb/agency/").content.decode()
    count = User.objects.filter(agency=member.agency).count()
    link = f'<a href="/admin/hscb/user/?agency__id__exact={member.agency.pk}">{count}</a>'
    assert link in agencies
    listed = admin_client.get(f"/admin/hscb/user/?agency__id__exact={member.agency.pk}")
    assert listed.status_code == 200
    shown = {u.pk for u in listed.context["cl"].result_list}
    assert member.pk in shown
    assert shown == set(User.objects.filter(agency=member.agency).values_list("pk", flat=True))
    assert agency_staff.agency_id == member.agency_id or agency_staff.pk not in shown


def test_the_membership_list_shows_the_newest_seats_first(admin_client, board):
    import datetime

    from tests.hscb.factories import MembershipFactory

    group = board[GroupFunction.AUDIT]
    for year, name in [(2019, "Oldseat"), (2026, "Newseat"), (2023, "Middleseat")]:
        MembershipFactory(
            group=group,
            user=UserFactory(last_name=name),
            start_date=datetime.date(year, 4, 1),
        )
    text = admin_client.get("/admin/hscb/membership/").content.decode()
    assert text.index("Newseat") < text.index("Middleseat") < text.index("Oldseat")
    # Filtering by whether a seat is current still works, and the column sorts still apply.
    text = admin_client.get("/admin/hscb/membership/?current=ended").content.decode()
    assert "Newseat" not in text
    text = admin_client.get("/admin/hscb/membership/?o=4").content.decode()
    assert text.index("Oldseat") < text.index("Middleseat") < text.index("Newseat")
