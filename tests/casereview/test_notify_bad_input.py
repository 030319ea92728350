"""Bad input on the notification form's steps is answered with messages beside the fields and an
error summary, never a 500, and keeps what was typed; nothing is saved. Each rule the service
enforces (test_notify_services.py) is refused here through the form too."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from django.utils.html import escape

from casereview.models import Attachment
from casereview.services import notifications as services
from tests.casereview.factories import DraftFactory
from tests.casereview.test_notify_services import days_ago, fill, home_area, years_ago
from tests.casereview.test_notify_views import date_fields, step_post, step_url
from tests.hscb.factories import PDF_BYTES
from tests.hscb.test_bad_input import LONG, assert_error_page

pytestmark = pytest.mark.django_db

HUGE_NUMBER = "99999999999999999999999"
TOMORROW = timezone.localdate() + datetime.timedelta(days=1)
NO_DATE_OF_BIRTH = {"date_of_birth_0": "", "date_of_birth_1": "", "date_of_birth_2": ""}


@pytest.fixture
def staff(agency_staff):
    return agency_staff


@pytest.fixture
def draft(staff):
    return services.notification_start(by=staff)


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


BAD_ANSWERS = [
    # (step, what was typed, the field the error summary links to, words of the message)
    ("child", {"first_name": ""}, "first_name", "Enter the child's first name"),
    ("child", {"last_name": "  "}, "last_name", "Enter the child's last name"),
    ("child", {"first_name": "x" * 101}, "first_name", "100 characters or fewer"),
    ("child", {"other_names": LONG}, "other_names", "200 characters or fewer"),
    ("child", {"first_name": "Ame\x00lia"}, "first_name", "Null characters are not allowed"),
    ("child", NO_DATE_OF_BIRTH, "date_of_birth", "date of birth or their approximate age"),
    (
        "child",
        date_fields("date_of_birth", TOMORROW),
        "date_of_birth",
        "The date of birth must be today or in the past",
    ),
    (
        "child",
        date_fields("date_of_birth", years_ago(18, days=2)),
        "date_of_birth",
        "The child must be under 18 today",
    ),
    (
        "child",
        {**NO_DATE_OF_BIRTH, "age_years": "18"},
        "age_years",
        "The child must be under 18",
    ),
    ("child", {"age_years": "9"}, "age_years", "does not match the date of birth"),
    ("child", {"age_years": "six"}, "age_years", "whole number, like 7"),
    ("child", {"age_years": HUGE_NUMBER}, "age_years", "must be under 18"),
    ("child", {"age_years": "-1"}, "age_years", "must be 0 or more"),
    ("child", {"nhs_number": "485 777 3456"}, "nhs_number", "Enter a valid NHS number"),
    ("child", {"nhs_number": "485 777 345"}, "nhs_number", "NHS number must be 10 digits"),
    ("child", {"nhs_number": "ABC1234567"}, "nhs_number", "must only include numbers"),
    ("child", {"nhs_number": "1" * 21}, "nhs_number", "NHS number must be 10 digits"),
    ("child", {"date_of_birth_0": "31", "date_of_birth_1": "2"}, "date_of_birth", "real date"),
    ("child", {"date_of_birth_2": HUGE_NUMBER}, "date_of_birth_2", "real date"),
    ("child", {"date_of_birth_1": ""}, "date_of_birth_1", "must include a month"),
    ("circumstances", {"sex": ""}, "sex_1", "Select the child's sex"),
    ("circumstances", {"sex": "robot"}, "sex_1", "Select the child's sex"),
    ("circumstances", {"ethnicity": ""}, "ethnicity", "Select the child's ethnic group"),
    ("circumstances", {"ethnicity": "martian"}, "ethnicity", "Select the child's ethnic group"),
    ("circumstances", {"home_area": ""}, "home_area", "Select the area the child lives in"),
    ("circumstances", {"home_area": "abc"}, "home_area", "Select the area from the list"),
    ("circumstances", {"home_area": HUGE_NUMBER}, "home_area", "Select the area from the list"),
    ("circumstances", {"home_area": "999999"}, "home_area", "Select the area from the list"),
    ("circumstances", {"legal_status": ""}, "legal_status_1", "Select the child's legal status"),
    ("incident", date_fields("incident_date", TOMORROW), "incident_date", "today or in the past"),
    ("incident", date_fields("aware_date", TOMORROW), "aware_date", "today or in the past"),
    (
        "incident",
        {**date_fields("incident_date", days_ago(3)), **date_fields("aware_date", days_ago(5))},
        "aware_date",
        "must be the same as or after the date of the incident",
    ),
    (
        "incident",
        {"incident_date_0": "", "incident_date_1": "", "incident_date_2": ""},
        "incident_date",
        "Enter the date of the incident",
    ),
    ("incident", {"incident_description": ""}, "incident_description", "Enter what happened"),
    ("incident", {"incident_description": "y" * 10001}, "incident_description", "10,000"),
    ("incident", {"harm": ""}, "harm_1", "Select whether the child died or was seriously"),
    ("incident", {"abuse_or_neglect": "maybe"}, "abuse_or_neglect_1", "known or suspected"),
    ("incident", {"in_custody": ""}, "in_custody_1", "custody or a secure setting"),
    ("incident", {"in_custody": "perhaps"}, "in_custody_1", "custody or a secure setting"),
    ("agencies", {"agencies_involved": []}, "agencies_involved_1", "Select the agencies"),
    ("agencies", {"agencies_involved": ["abc"]}, "agencies_involved_1", "from the list"),
    ("agencies", {"agencies_involved": [HUGE_NUMBER]}, "agencies_involved_1", "from the list"),
    ("agencies", {"safety_action": ""}, "safety_action", "Enter the immediate safety action"),
    ("agencies", {"notifier_phone": ""}, "notifier_phone", "Enter your telephone number"),
    ("agencies", {"notifier_phone": "ring reception"}, "notifier_phone", "like 01632 960 001"),
    ("agencies", {"notifier_phone": "123"}, "notifier_phone", "like 01632 960 001"),
    ("agencies", {"notifier_phone": "0" * 41}, "notifier_phone", "40 characters or fewer"),
]


@pytest.mark.parametrize(("step", "changes", "field", "words"), BAD_ANSWERS)
@pytest.mark.parametrize("action", ["continue", "save"])
def test_a_step_refuses_bad_answers_and_keeps_what_was_typed(
    staff_client, draft, step, changes, field, words, action
):
    data = step_post(step, action=action, **changes)
    response = staff_client.post(step_url(draft, step), data)
    text = assert_error_page(response, field)
    assert escape(words) in text
    # Another answer on the page is still there as it was typed.
    kept = {
        "child": 'value="O&#x27;Brien"' if "last_name" not in changes else 'value="Amelia"',
        "circumstances": 'value="white_irish" selected'
        if "ethnicity" not in changes
        else 'value="female"',
        "incident": "a head injury nobody could explain"
        if "incident_description" not in changes
        else 'value="serious_harm"',
        "agencies": "Siblings placed with their grandmother"
        if "safety_action" not in changes
        else 'value="01707 123456"',
    }[step]
    assert kept in text
    draft.refresh_from_db()
    if action == "continue":  # nothing is saved until the page is right
        assert (draft.first_name, draft.sex, draft.incident_date, draft.safety_action) == (
            "",
            "",
            None,
            "",
        )
    else:  # coming back later: the answers that are right are kept, and the page says so
        assert "Your other answers on this page have been saved" in text


def test_a_date_of_birth_after_the_incident_is_refused_through_the_form(staff_client, staff, draft):
    fill(draft, staff)
    response = staff_client.post(
        step_url(draft, "child"),
        step_post("child", **date_fields("date_of_birth", days_ago(1))),
    )
    text = assert_error_page(response, "date_of_birth")
    assert "must be on or before the date of the incident" in text
    draft.refresh_from_db()
    assert draft.date_of_birth == years_ago(6)


def test_a_child_18_or_over_on_the_day_of_the_incident_is_refused_through_the_form(
    staff_client, staff, draft
):
    fill(draft, staff, incident={"incident_date": days_ago(40), "aware_date": days_ago(39)})
    born = years_ago(18, days=45)
    response = staff_client.post(
        step_url(draft, "child"), step_post("child", **date_fields("date_of_birth", born))
    )
    text = assert_error_page(response, "date_of_birth")
    assert "The child must be under 18 on the date of the incident" in text


def test_a_disagreement_found_on_submission_links_back_to_the_child_step(staff_client, staff):
    draft = DraftFactory(
        notifier=staff,
        date_of_birth=years_ago(6, days=5),
        age_years=6,
        incident_date=days_ago(400),
        aware_date=days_ago(3),
        home_area=home_area(),
        agencies_involved=[staff.agency],
    )
    response = staff_client.post(f"/notifications/{draft.pk}/check/")
    text = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in text
    assert f'href="/notifications/{draft.pk}/step/child/?return=check#id_age_years"' in text
    assert "does not match the date of birth" in text
    draft.refresh_from_db()
    assert draft.is_draft and draft.age_years == 6


# Documents ------------------------------------------------------------------------------------


def upload(client, draft, name: str, data: bytes, **extra):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        step_url(draft, "attachments"),
        {"file": SimpleUploadedFile(name, data), "action": "upload", **extra},
    )


def test_an_oversized_document_is_refused_with_the_limit(staff_client, draft, settings):
    settings.PAPER_MAX_BYTES = 30
    response = upload(staff_client, draft, "big.pdf", PDF_BYTES + b"x" * 40, description="Big")
    text = assert_error_page(response, "file")
    assert "The selected file must be smaller than 30" in text
    assert 'value="Big"' in text
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("notes.txt", b"plain text", "must be a PDF, Word or Excel file"),
        ("virus.pdf", b"MZ\x90\x00\x03", "is not a real PDF file"),
        ("report.docx", b"PK\x03\x04 not really a document", "is not a real Word file"),
        ("empty.pdf", b"", "The selected file is empty"),
    ],
)
def test_a_document_of_the_wrong_type_is_refused(staff_client, draft, name, data, words):
    response = upload(staff_client, draft, name, data)
    assert words in assert_error_page(response, "file")
    assert not Attachment.objects.exists()


def test_uploading_without_a_file_asks_for_one(staff_client, draft):
    response = staff_client.post(
        step_url(draft, "attachments"), {"action": "upload", "description": "Minutes"}
    )
    text = assert_error_page(response, "file")
    assert "Select a file to upload" in text
    assert 'value="Minutes"' in text


def test_an_over_long_description_is_refused(staff_client, draft):
    response = upload(staff_client, draft, "minutes.pdf", PDF_BYTES, description="d" * 201)
    assert "200 characters or fewer" in assert_error_page(response, "description")
    assert not Attachment.objects.exists()
