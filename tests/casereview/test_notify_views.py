"""The agency's notification pages: the start page, each step with its buttons and links, the
documents, checking and submitting, the confirmation, the agency's list and a notification's
page, and who may see each (404 for anyone else's draft or another agency's notification)."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from auditlog.models import LogEntry
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from casereview.forms.notify import ChildForm
from casereview.models import (
    Attachment,
    Clock,
    Notification,
    NotificationStatus,
    PossibleDuplicate,
    ReviewType,
)
from casereview.services import notifications as services
from tests.casereview.factories import (
    AttachmentFactory,
    ConsiderationFactory,
    DraftFactory,
    NotificationFactory,
)
from tests.casereview.test_notify_services import (
    LONDON,
    VALID_NHS,
    case_review_chair,
    days_ago,
    fill,
    home_area,
    pdf,
    years_ago,
)
from tests.hscb.factories import PDF_BYTES, AgencyFactory, UserFactory
from tests.hscb.test_bad_input import assert_error_page

pytestmark = pytest.mark.django_db


# Helpers --------------------------------------------------------------------------------------


def date_fields(name: str, day: datetime.date) -> dict[str, str]:
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


def step_post(step: str, **changes) -> dict:
    """What a person types on a step, all of it valid, and "Continue"."""
    data = {
        "child": {
            "first_name": "Amelia",
            "last_name": "O'Brien",
            "other_names": "Millie",
            **date_fields("date_of_birth", years_ago(6)),
            "age_years": "",
            "nhs_number": "943 476 5919",
        },
        "circumstances": {
            "sex": "female",
            "ethnicity": "white_irish",
            "home_area": str(home_area().pk),
            "legal_status": "child_protection_plan",
        },
        "incident": {
            **date_fields("incident_date", days_ago(3)),
            "incident_description": "Taken to hospital with a head injury nobody could explain.",
            **date_fields("aware_date", days_ago(2)),
            "harm": "serious_harm",
            "abuse_or_neglect": "suspected",
            "in_custody": "no",
        },
        "agencies": {
            "agencies_involved": [str(AgencyFactory(name="Hertfordshire Constabulary").pk)],
            "safety_action": "Siblings placed with their grandmother under a safety plan.",
            "notifier_phone": "01707 123456",
        },
    }[step]
    return {**data, "action": "continue", **changes}


def step_url(notification: Notification, step: str) -> str:
    return f"/notifications/{notification.pk}/step/{step}/"


@pytest.fixture
def staff(agency_staff):
    return agency_staff


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def draft(staff):
    return services.notification_start(by=staff)


@pytest.fixture
def complete(staff, draft):
    return fill(draft, staff)


def submitted_for(staff, **kwargs) -> Notification:
    draft = fill(services.notification_start(by=staff), staff, **kwargs)
    return services.notification_submit(notification=draft, by=staff)


# The start page -------------------------------------------------------------------------------


def test_the_start_page_says_what_the_form_is_for_and_starting_makes_a_draft(staff_client, staff):
    response = staff_client.get("/notifications/new/")
    text = response.content.decode()
    assert "Notify a serious incident" in text
    assert "abuse or neglect is known or suspected" in text
    assert "within 5 working days" in text
    assert "come back later" in text
    assert "email receipt" in text
    assert "Start now" in text
    assert not Notification.objects.exists()
    response = staff_client.post("/notifications/new/")
    draft = Notification.objects.get()
    assert response.status_code == 302
    assert response.url == step_url(draft, "child")
    assert (draft.notifier, draft.agency, draft.status) == (staff, staff.agency, "draft")


@pytest.mark.parametrize("url", ["/notifications/", "/notifications/new/"])
def test_someone_without_an_agency_may_not_notify(client, outsider, url):
    client.force_login(outsider)
    assert client.get(url).status_code == 403
    assert client.post("/notifications/new/").status_code == 403
    assert not Notification.objects.exists()


# The steps ------------------------------------------------------------------------------------


def test_the_whole_form_through_every_step_to_the_receipt(
    staff_client, staff, board, secretariat, django_capture_on_commit_callbacks
):
    chair = case_review_chair(board)
    with time_machine.travel(datetime.datetime(2026, 12, 24, 10, tzinfo=LONDON), tick=False):
        staff_client.force_login(staff)  # a session of its own day
        staff_client.post("/notifications/new/")
        draft = Notification.objects.get()
        steps = [
            ("child", step_post("child"), "circumstances"),
            ("circumstances", step_post("circumstances"), "incident"),
            (
                "incident",
                step_post(
                    "incident",
                    **date_fields("incident_date", datetime.date(2026, 12, 23)),
                    **date_fields("aware_date", datetime.date(2026, 12, 24)),
                ),
                "agencies",
            ),
            ("agencies", step_post("agencies"), "attachments"),
        ]
        for number, (step, data, following) in enumerate(steps, start=1):
            page = staff_client.get(step_url(draft, step)).content.decode()
            assert f"Step {number} of 5" in page
            assert "Save and come back later" in page
            response = staff_client.post(step_url(draft, step), data)
            assert response.status_code == 302, response.content.decode()[:3000]
            assert response.url == step_url(draft, following)

        page = staff_client.get(step_url(draft, "attachments")).content.decode()
        assert "Step 5 of 5" in page
        response = staff_client.post(
            step_url(draft, "attachments"),
            {"file": pdf(), "description": "Strategy meeting minutes", "action": "upload"},
        )
        assert response.url == step_url(draft, "attachments")
        page = staff_client.get(step_url(draft, "attachments")).content.decode()
        assert "strategy meeting.pdf" in page
        assert "Remove" in page
        response = staff_client.post(step_url(draft, "attachments"), {"action": "continue"})
        assert response.url == f"/notifications/{draft.pk}/check/"

        check = staff_client.get(response.url).content.decode()
        assert "Check your answers" in check
        assert escape("O'Brien") in check
        assert "943 476 5919" in check
        assert "Hertfordshire Constabulary" in check
        assert "strategy meeting.pdf" in check
        assert "Not answered" not in check
        assert "to the best of your knowledge" in check
        assert f"/notifications/{draft.pk}/step/incident/?return=check" in check

        with django_capture_on_commit_callbacks(execute=True):
            response = staff_client.post(f"/notifications/{draft.pk}/check/")
    assert response.url == f"/notifications/{draft.pk}/submitted/"
    draft.refresh_from_db()
    assert draft.status == NotificationStatus.SUBMITTED
    assert draft.reference == f"SIN-2026-{draft.pk:05d}"
    assert draft.nhs_number == VALID_NHS
    assert draft.attachments.get().description == "Strategy meeting minutes"
    assert Clock.objects.get(notification=draft).due_on == datetime.date(2027, 1, 5)

    page = staff_client.get(response.url).content.decode()
    assert "govuk-panel--confirmation" in page
    assert draft.reference in page
    assert f"We have sent a receipt to {staff.email}" in page
    assert "What happens next" in page
    assert "5 January 2027" in page
    assert {m.to[0] for m in mail.outbox} == {staff.email, chair.email, secretariat.email}
    for message in mail.outbox:
        assert draft.reference in message.body
        # The greeting names the recipient, who may share a name with the child by chance.
        body = "\n".join(line for line in message.body.splitlines() if "Dear " not in line)
        assert "Amelia" not in body and "O'Brien" not in body


def test_a_duplicate_is_flagged_when_submitted_through_the_pages(staff_client, staff, complete):
    earlier = NotificationFactory(nhs_number=VALID_NHS, incident_date=days_ago(10))
    staff_client.post(f"/notifications/{complete.pk}/check/")
    assert PossibleDuplicate.objects.get(notification=complete).match == earlier


def test_steps_link_back_to_the_previous_one(staff_client, draft):
    first = staff_client.get(step_url(draft, "child")).content.decode()
    assert 'href="/notifications/" class="govuk-back-link"' in first
    third = staff_client.get(step_url(draft, "incident")).content.decode()
    assert f'href="{step_url(draft, "circumstances")}" class="govuk-back-link"' in third


def test_a_step_changed_from_the_check_page_goes_back_to_it(staff_client, complete):
    url = step_url(complete, "circumstances") + "?return=check"
    page = staff_client.get(url).content.decode()
    assert f'href="/notifications/{complete.pk}/check/" class="govuk-back-link"' in page
    response = staff_client.post(url, step_post("circumstances", sex="male"))
    assert response.url == f"/notifications/{complete.pk}/check/"
    complete.refresh_from_db()
    assert complete.sex == "male"


def test_a_step_shows_the_answers_already_saved(staff_client, complete):
    page = staff_client.get(step_url(complete, "child")).content.decode()
    assert 'value="Amelia"' in page
    assert 'value="O&#x27;Brien"' in page
    assert 'value="9434765919"' in page
    incident = staff_client.get(step_url(complete, "incident")).content.decode()
    assert re.search(r'value="no"[^>]*checked', incident)


def test_save_and_come_back_later_saves_the_step_and_lists_the_draft(staff_client, draft):
    response = staff_client.post(step_url(draft, "child"), step_post("child", action="save"))
    assert response.url == "/notifications/"
    draft.refresh_from_db()
    assert draft.first_name == "Amelia"
    page = staff_client.get("/notifications/").content.decode()
    assert "Your answers have been saved" in page
    assert f'href="{step_url(draft, "circumstances")}"' in page
    assert "3 steps to complete" in page


def test_save_and_come_back_later_with_a_mistake_shows_it_and_keeps_what_was_typed(
    staff_client, draft
):
    response = staff_client.post(
        step_url(draft, "child"),
        step_post("child", action="save", nhs_number="485 777 3456", other_names="Millie B"),
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "Enter a valid NHS number" in text
    assert 'value="Millie B"' in text
    assert 'value="485 777 3456"' in text
    assert "Your other answers on this page have been saved" in text
    draft.refresh_from_db()
    assert draft.other_names == "Millie B"  # the right answers are kept
    assert draft.nhs_number == ""  # the wrong one is not


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("9" * 26, "NHS number must be 10 digits"),
        ("12345", "NHS number must be 10 digits"),
        ("x" * 30, "NHS number must only include numbers"),
    ],
)
def test_a_wrong_nhs_number_is_said_once(staff_client, draft, typed, message):
    form = ChildForm(step_post("child", nhs_number=typed), notification=draft)
    assert not form.is_valid()
    assert form.errors["nhs_number"] == [message]
    response = staff_client.post(step_url(draft, "child"), step_post("child", nhs_number=typed))
    text = assert_error_page(response, "nhs_number")
    summary = text.split('class="govuk-error-summary"')[1].split("</ul>")[0]
    assert summary.count('href="#id_nhs_number"') == 1
    assert summary.count(message) == 1
    # Once in the summary and once above the field.
    assert text.count(message) == 2
    draft.refresh_from_db()
    assert draft.first_name == ""


def test_an_unknown_step_is_not_found(staff_client, draft):
    assert staff_client.get(step_url(draft, "nonsense")).status_code == 404


# Documents ------------------------------------------------------------------------------------


def test_a_document_is_removed_with_a_post_only(staff_client, staff, draft):
    attachment = services.attachment_add(notification=draft, upload=pdf(), description="", by=staff)
    url = f"/notifications/{draft.pk}/documents/{attachment.pk}/remove/"
    assert staff_client.get(url).status_code == 405
    response = staff_client.post(url)
    assert response.url == step_url(draft, "attachments")
    assert not Attachment.objects.exists()


def test_someone_else_cannot_remove_a_drafts_document(client, staff, draft):
    attachment = services.attachment_add(notification=draft, upload=pdf(), description="", by=staff)
    client.force_login(UserFactory(agency=staff.agency))
    url = f"/notifications/{draft.pk}/documents/{attachment.pk}/remove/"
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert Attachment.objects.exists()


def test_continue_with_a_file_chosen_uploads_it_then_goes_to_the_check_page(staff_client, draft):
    response = staff_client.post(
        step_url(draft, "attachments"), {"file": pdf("chronology.pdf"), "action": "continue"}
    )
    assert response.url == f"/notifications/{draft.pk}/check/"
    assert draft.attachments.get().original_name == "chronology.pdf"


# Checking and submitting ----------------------------------------------------------------------


def test_the_check_page_marks_what_is_not_answered(staff_client, staff, draft):
    staff_client.post(step_url(draft, "child"), step_post("child"))
    page = staff_client.get(f"/notifications/{draft.pk}/check/").content.decode()
    assert "Not answered" in page
    assert "Some questions are not answered yet" in page
    assert "There is a problem" not in page


def test_submitting_with_gaps_lists_each_linked_to_its_step_and_keeps_the_draft(
    staff_client, draft
):
    staff_client.post(step_url(draft, "child"), step_post("child"))
    response = staff_client.post(f"/notifications/{draft.pk}/check/")
    text = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in text
    assert "There is a problem" in text
    assert (
        f'href="/notifications/{draft.pk}/step/circumstances/?return=check#id_sex_1">'
        "Select the child&#x27;s sex" in text
    )
    assert f'href="/notifications/{draft.pk}/step/incident/?return=check#id_incident_date_0"' in (
        text
    )
    assert f"/notifications/{draft.pk}/step/agencies/?return=check#id_safety_action" in text
    draft.refresh_from_db()
    assert draft.is_draft and draft.first_name == "Amelia"


def test_a_missing_clock_rule_is_explained_not_a_server_error(staff_client, complete):
    ReviewType.objects.update(is_active=False)
    response = staff_client.post(f"/notifications/{complete.pk}/check/")
    text = response.content.decode()
    assert response.status_code == 200
    assert "statutory deadlines are not set up" in text
    assert "Your answers are saved" in text
    complete.refresh_from_db()
    assert complete.is_draft
    assert escape("O'Brien") in text


def test_a_second_submit_goes_to_the_notifications_page(staff_client, complete):
    staff_client.post(f"/notifications/{complete.pk}/check/")
    response = staff_client.post(f"/notifications/{complete.pk}/check/", follow=True)
    complete.refresh_from_db()
    assert response.redirect_chain[0][0] == f"/notifications/{complete.pk}/"
    assert f"submitted as {complete.reference}" in response.content.decode()
    assert Clock.objects.filter(notification=complete).count() == 1


@pytest.mark.parametrize("path", ["step/child/", "step/attachments/", "check/", "delete/"], ids=str)
def test_draft_pages_of_a_submitted_notification_send_its_notifier_to_its_page(
    staff_client, staff, path
):
    notification = submitted_for(staff)
    response = staff_client.get(f"/notifications/{notification.pk}/{path}")
    assert response.status_code == 302
    assert response.url == f"/notifications/{notification.pk}/"


# Privacy of drafts and of other agencies' notifications ---------------------------------------


@pytest.mark.parametrize(
    "path", ["step/child/", "step/attachments/", "check/", "delete/", "submitted/", ""], ids=str
)
def test_a_draft_is_its_notifiers_alone(client, staff, complete, secretariat, path):
    colleague = UserFactory(agency=staff.agency)
    for person in (colleague, secretariat):
        client.force_login(person)
        assert client.get(f"/notifications/{complete.pk}/{path}").status_code == 404
    client.post(f"/notifications/{complete.pk}/check/")
    client.post(f"/notifications/{complete.pk}/delete/")
    client.post(step_url(complete, "child"), step_post("child", first_name="Intruder"))
    complete.refresh_from_db()
    assert complete.is_draft and complete.first_name == "Amelia"


@pytest.mark.parametrize("path", ["", "submitted/", "check/", "step/child/"], ids=str)
def test_another_agencys_notification_is_not_found(client, staff, path):
    notification = submitted_for(staff)
    client.force_login(UserFactory(email="other@elsewhere.example"))
    assert client.get(f"/notifications/{notification.pk}/{path}").status_code == 404


def test_a_draft_sends_its_notifier_to_check_from_its_pages(staff_client, complete):
    for path in ("", "submitted/"):
        response = staff_client.get(f"/notifications/{complete.pk}/{path}")
        assert response.url == f"/notifications/{complete.pk}/check/"


def test_an_address_with_a_huge_number_is_not_found(staff_client):
    assert staff_client.get("/notifications/99999999999999999999999/").status_code == 404


# The agency's list ----------------------------------------------------------------------------


def test_the_list_shows_own_drafts_and_the_agencys_notifications_but_never_the_child(client, staff):
    mine = fill(services.notification_start(by=staff), staff)
    colleague = UserFactory(agency=staff.agency)
    colleagues_draft = DraftFactory(notifier=colleague, first_name="Hidden")
    ours = submitted_for(staff)
    from_colleague = NotificationFactory(notifier=colleague, last_name="Zebedee")
    other_agency = NotificationFactory(first_name="Elsewhere")
    client.force_login(staff)
    text = client.get("/notifications/").content.decode()
    assert "Your agency's notifications" in text
    assert "Notify a serious incident" in text
    assert ours.reference in text
    assert from_colleague.reference in text
    assert other_agency.reference not in text
    assert f"/notifications/{other_agency.pk}/" not in text
    assert f'href="/notifications/{mine.pk}/check/"' in text
    assert f"/notifications/{mine.pk}/delete/" in text
    assert f"/notifications/{colleagues_draft.pk}/" not in text
    assert "Received" in text
    for name in ("Amelia", escape("O'Brien"), "Zebedee", "Hidden", "Elsewhere"):
        assert name not in text
    assert escape(colleague.get_full_name()) in text


def test_the_list_shows_the_agency_status_never_the_deliberations(client, staff):
    considered = ConsiderationFactory(notification=submitted_for(staff)).notification
    client.force_login(staff)
    text = client.get("/notifications/").content.decode()
    assert considered.reference in text
    assert "Being considered" in text
    assert "Local child safeguarding practice review" not in text


def test_the_list_runs_a_fixed_number_of_queries(client, staff, django_assert_max_num_queries):
    colleague = UserFactory(agency=staff.agency)
    DraftFactory(notifier=staff)
    NotificationFactory(notifier=colleague)
    client.force_login(staff)
    client.get("/notifications/")
    with CaptureQueriesContext(connection) as small:
        assert client.get("/notifications/").status_code == 200
    for _ in range(5):
        DraftFactory(notifier=staff, agencies_involved=[staff.agency])
        NotificationFactory(notifier=UserFactory(agency=staff.agency))
        NotificationFactory(notifier=staff)
    with django_assert_max_num_queries(len(small)):
        response = client.get("/notifications/")
    assert response.content.decode().count("SIN-") == 11


def test_the_list_is_paginated(client, staff):
    for _ in range(21):
        NotificationFactory(notifier=staff)
    client.force_login(staff)
    first = client.get("/notifications/").content.decode()
    assert first.count("govuk-tag--blue") == 20
    assert "govuk-pagination" in first
    second = client.get("/notifications/?page=2").content.decode()
    assert second.count("govuk-tag--blue") == 1


# A notification's page ------------------------------------------------------------------------


def test_the_notifier_sees_its_answers_status_and_documents_and_the_view_is_logged(client, staff):
    # Their colleagues see less: tests/casereview/test_agency_visibility.py.
    notification = submitted_for(staff)
    attachment = AttachmentFactory(notification=notification, uploaded_by=staff)
    client.force_login(staff)
    text = client.get(f"/notifications/{notification.pk}/").content.decode()
    assert notification.reference in text
    assert "Received" in text and "govuk-tag--blue" in text
    assert escape(staff.get_full_name()) in text
    assert escape("O'Brien") in text
    assert "Siblings placed with their grandmother" in text
    assert f"/case-review/documents/{attachment.pk}/" in text
    assert "Change" not in text
    entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS, object_id=notification.pk)
    assert entry.actor == staff


def test_a_notifications_page_never_shows_the_consideration_or_decision(client, staff):
    consideration = ConsiderationFactory(notification=submitted_for(staff))
    client.force_login(staff)
    text = client.get(f"/notifications/{consideration.notification.pk}/").content.decode()
    assert "Being considered" in text
    assert consideration.assessment not in text
    assert consideration.rationale not in text
    assert consideration.recommendation.name not in text


def test_the_secretariat_use_the_case_page_not_the_agencys(client, staff, secretariat):
    notification = submitted_for(staff)
    client.force_login(secretariat)
    assert client.get(f"/notifications/{notification.pk}/").status_code == 404
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


def test_the_confirmation_is_seen_by_the_agency(client, staff):
    notification = submitted_for(staff)
    client.force_login(UserFactory(agency=staff.agency))
    text = client.get(f"/notifications/{notification.pk}/submitted/").content.decode()
    assert notification.reference in text


# Deleting a draft -----------------------------------------------------------------------------


def test_a_draft_is_deleted_after_confirming(
    staff_client, staff, draft, django_capture_on_commit_callbacks
):
    attachment = services.attachment_add(
        notification=draft, upload=pdf(data=PDF_BYTES), description="", by=staff
    )
    storage, name = attachment.file.storage, attachment.file.name
    page = staff_client.get(f"/notifications/{draft.pk}/delete/").content.decode()
    assert "Are you sure you want to delete this draft?" in page
    assert Notification.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(f"/notifications/{draft.pk}/delete/", follow=True)
    assert "The draft notification has been deleted" in response.content.decode()
    assert not Notification.objects.exists()
    assert not storage.exists(name)


def test_save_and_come_back_later_keeps_the_answers_that_are_right(client, board, agency_staff):
    draft = DraftFactory(
        notifier=agency_staff, first_name="", last_name="", date_of_birth=None, age_years=None
    )
    client.force_login(agency_staff)
    response = client.post(
        step_url(draft, "child"),
        {
            "first_name": "Only",
            "last_name": "",
            "date_of_birth_0": "31",
            "date_of_birth_1": "2",
            "date_of_birth_2": "2020",
            "action": "save",
        },
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in text
    assert "Your other answers on this page have been saved" in text
    draft.refresh_from_db()
    assert draft.first_name == "Only"  # kept
    assert draft.date_of_birth is None  # 31 February is not a date: not saved, shown again
    assert 'value="31"' in text
