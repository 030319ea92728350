"""The agency's notification services: drafts started and saved step by step, documents, and
submission with its reference, first statutory clock, duplicate check and emails. The rules are
refused here whatever page calls them (DESIGN.md §4)."""

from __future__ import annotations

import datetime
import zoneinfo
from smtplib import SMTPException
from unittest import mock

import pytest
import time_machine
from auditlog.models import LogEntry
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.html import escape

from casereview.models import (
    Attachment,
    Clock,
    ClockKind,
    MatchReason,
    Notification,
    NotificationStatus,
    PossibleDuplicate,
    ReviewType,
)
from casereview.services import notifications as services
from casereview.services.clocks import ClockRuleMissing
from casereview.tasks.notify import send_notification_receipt, send_notification_received
from hscb.models import Area, GroupFunction, MembershipRole
from tests.casereview.factories import (
    AttachmentFactory,
    DraftFactory,
    NotificationFactory,
    ensure_review_types,
)
from tests.hscb.factories import PDF_BYTES, AgencyFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
VALID_NHS = "9434765919"
WRONG_CHECK_DIGIT = "4857773456"


# Helpers shared by the notification tests -----------------------------------------------------


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


def years_ago(years: int, days: int = 0) -> datetime.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years, day=min(today.day, 28)) - datetime.timedelta(
        days=days
    )


def home_area() -> Area:
    return Area.objects.filter(is_home=True).first() or Area.objects.create(
        name="Hertfordshire", is_home=True
    )


def step_answers(step: str, **changes) -> dict:
    """Complete, valid answers to a step, as the service takes them."""
    answers = {
        "child": {
            "first_name": "Amelia",
            "last_name": "O'Brien",
            "other_names": "",
            "date_of_birth": years_ago(6),
            "age_years": None,
            "nhs_number": "943 476 5919",
        },
        "circumstances": {
            "sex": "female",
            "ethnicity": "white_irish",
            "home_area": home_area(),
            "legal_status": "child_protection_plan",
        },
        "incident": {
            "incident_date": days_ago(3),
            "incident_description": "Taken to hospital with a head injury nobody could explain.",
            "aware_date": days_ago(2),
            "harm": "serious_harm",
            "abuse_or_neglect": "suspected",
            "in_custody": False,
        },
        "agencies": {
            "agencies_involved": [AgencyFactory(name="Hertfordshire Constabulary")],
            "safety_action": "Siblings placed with their grandmother under a safety plan.",
            "notifier_phone": "01707 123456",
        },
    }[step]
    return {**answers, **changes}


def fill(notification: Notification, by, **steps) -> Notification:
    """Answer every step of the draft (a step's changes given as `child={...}`)."""
    for step in ("child", "circumstances", "incident", "agencies"):
        services.notification_save_step(
            notification=notification,
            step=step,
            data=step_answers(step, **steps.get(step, {})),
            by=by,
        )
    notification.refresh_from_db()
    return notification


def case_review_chair(board):
    return MembershipFactory(
        group=board[GroupFunction.CASE_REVIEW],
        role=MembershipRole.CHAIR,
        user=UserFactory(email="cr.chair@board.example"),
    ).user


def pdf(name: str = "strategy meeting.pdf", data: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def refused(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


@pytest.fixture(autouse=True)
def _review_types(db):
    ensure_review_types()


@pytest.fixture
def staff(agency_staff):
    return agency_staff


@pytest.fixture
def draft(staff):
    return services.notification_start(by=staff)


# Starting and saving drafts -------------------------------------------------------------------


def test_a_draft_belongs_to_its_notifier_and_their_agency(staff):
    draft = services.notification_start(by=staff)
    assert draft.is_draft
    assert draft.notifier == staff
    assert draft.agency == staff.agency
    assert draft.reference is None


def test_a_new_draft_carries_over_the_notifiers_telephone_number(staff, draft):
    fill(draft, staff)
    assert services.notification_start(by=staff).notifier_phone == "01707 123456"


def test_someone_without_an_agency_cannot_start_a_notification(outsider):
    with pytest.raises(PermissionDenied):
        services.notification_start(by=outsider)
    assert not Notification.objects.exists()


def test_each_step_saves_its_answers_and_the_nhs_number_normalised(staff, draft):
    fill(draft, staff)
    assert draft.first_name == "Amelia"
    assert draft.last_name == "O'Brien"
    assert draft.nhs_number == VALID_NHS
    assert draft.home_area == home_area()
    assert draft.harm == "serious_harm"
    assert draft.in_custody is False
    assert [a.name for a in draft.agencies_involved.all()] == ["Hertfordshire Constabulary"]
    assert draft.is_draft


def test_saving_a_step_is_in_the_notifications_history(staff, draft):
    services.notification_save_step(
        notification=draft, step="child", data=step_answers("child"), by=staff
    )
    entry = LogEntry.objects.get_for_object(draft).filter(action=LogEntry.Action.UPDATE).first()
    assert entry is not None
    assert "first_name" in entry.changes_dict


def test_only_the_notifier_may_save_their_draft(staff, draft, member):
    with pytest.raises(PermissionDenied):
        services.notification_save_step(
            notification=draft, step="child", data=step_answers("child"), by=member
        )
    draft.refresh_from_db()
    assert draft.first_name == ""


def test_a_submitted_notification_is_not_changed_by_a_step(staff, draft):
    fill(draft, staff)
    services.notification_submit(notification=draft, by=staff)
    with pytest.raises(services.NotificationNotDraft):
        services.notification_save_step(
            notification=draft,
            step="child",
            data=step_answers("child", first_name="Changed"),
            by=staff,
        )
    draft.refresh_from_db()
    assert draft.first_name == "Amelia"


# The rules, in the service ---------------------------------------------------------------------

RULES = [
    # (step, changes, field, words of the message)
    ("child", {"first_name": ""}, "first_name", "Enter the child's first name"),
    ("child", {"last_name": "   "}, "last_name", "Enter the child's last name"),
    ("child", {"date_of_birth": None, "age_years": None}, "date_of_birth", "date of birth or"),
    (
        "child",
        {"date_of_birth": timezone.localdate() + datetime.timedelta(days=1)},
        "date_of_birth",
        "must be today or in the past",
    ),
    ("child", {"date_of_birth": years_ago(18, days=1)}, "date_of_birth", "must be under 18"),
    ("child", {"date_of_birth": None, "age_years": 18}, "age_years", "must be under 18"),
    ("child", {"age_years": 9}, "age_years", "does not match the date of birth"),
    ("child", {"nhs_number": WRONG_CHECK_DIGIT}, "nhs_number", "Enter a valid NHS number"),
    ("child", {"nhs_number": "12345"}, "nhs_number", "NHS number must be 10 digits"),
    ("child", {"first_name": "x" * 101}, "first_name", "100 characters or fewer"),
    ("circumstances", {"sex": ""}, "sex", "Select the child's sex"),
    ("circumstances", {"ethnicity": "martian"}, "ethnicity", "Select the child's ethnic group"),
    ("circumstances", {"home_area": None}, "home_area", "Select the area"),
    ("circumstances", {"legal_status": ""}, "legal_status", "Select the child's legal status"),
    (
        "incident",
        {"incident_date": timezone.localdate() + datetime.timedelta(days=1)},
        "incident_date",
        "must be today or in the past",
    ),
    (
        "incident",
        {"aware_date": timezone.localdate() + datetime.timedelta(days=2)},
        "aware_date",
        "must be today or in the past",
    ),
    (
        "incident",
        {"incident_date": days_ago(3), "aware_date": days_ago(4)},
        "aware_date",
        "the same as or after the date of the incident",
    ),
    ("incident", {"incident_description": ""}, "incident_description", "Enter what happened"),
    ("incident", {"harm": ""}, "harm", "died or was seriously harmed"),
    ("incident", {"abuse_or_neglect": "perhaps"}, "abuse_or_neglect", "abuse or neglect"),
    ("incident", {"in_custody": None}, "in_custody", "custody or a secure setting"),
    ("agencies", {"agencies_involved": []}, "agencies_involved", "Select the agencies"),
    ("agencies", {"safety_action": ""}, "safety_action", "Enter the immediate safety action"),
    ("agencies", {"notifier_phone": ""}, "notifier_phone", "Enter your telephone number"),
    ("agencies", {"notifier_phone": "call me"}, "notifier_phone", "Enter a telephone number"),
]


@pytest.mark.parametrize(("step", "changes", "field", "words"), RULES)
def test_the_service_refuses_each_bad_answer_and_saves_nothing(
    staff, draft, step, changes, field, words
):
    before = {f: getattr(draft, f) for f in ("first_name", "sex", "incident_date", "safety_action")}
    with pytest.raises(ValidationError) as excinfo:
        services.notification_save_step(
            notification=draft, step=step, data=step_answers(step, **changes), by=staff
        )
    assert words in " ".join(refused(excinfo)[field])
    draft.refresh_from_db()
    assert {f: getattr(draft, f) for f in before} == before
    assert not draft.agencies_involved.exists()


def test_a_date_of_birth_after_a_known_incident_is_refused(staff, draft):
    fill(draft, staff)
    with pytest.raises(ValidationError) as excinfo:
        services.notification_save_step(
            notification=draft,
            step="child",
            data=step_answers("child", date_of_birth=days_ago(1)),
            by=staff,
        )
    assert "on or before the date of the incident" in refused(excinfo)["date_of_birth"][0]


def test_the_age_must_be_the_childs_age_on_the_day_of_the_incident(staff, draft):
    """Born on 5 June 2020, the child was 5 on an incident on 26 May 2026 and is 6 on 15 June
    2026: the age given must be 5."""
    with time_machine.travel(datetime.datetime(2026, 6, 15, 10, tzinfo=LONDON), tick=False):
        fill(
            draft,
            staff,
            incident={
                "incident_date": datetime.date(2026, 5, 26),
                "aware_date": datetime.date(2026, 5, 27),
            },
        )
        born = datetime.date(2020, 6, 5)
        with pytest.raises(ValidationError) as excinfo:
            services.notification_save_step(
                notification=draft,
                step="child",
                data=step_answers("child", date_of_birth=born, age_years=6),
                by=staff,
            )
        message = refused(excinfo)["age_years"][0]
        assert "a child born on 5 June 2020 was 5 on the date of the incident" in message
        services.notification_save_step(
            notification=draft,
            step="child",
            data=step_answers("child", date_of_birth=born, age_years=5),
            by=staff,
        )
    draft.refresh_from_db()
    assert draft.age_years == 5


def test_an_approximate_age_alone_is_enough(staff, draft):
    services.notification_save_step(
        notification=draft,
        step="child",
        data=step_answers("child", date_of_birth=None, age_years=4, nhs_number=""),
        by=staff,
    )
    draft.refresh_from_db()
    assert (draft.date_of_birth, draft.age_years, draft.nhs_number) == (None, 4, "")


def test_an_agency_that_no_longer_takes_part_cannot_be_chosen(staff, draft):
    closed = AgencyFactory(name="Closed trust", is_active=False)
    with pytest.raises(ValidationError) as excinfo:
        services.notification_save_step(
            notification=draft,
            step="agencies",
            data=step_answers("agencies", agencies_involved=[closed]),
            by=staff,
        )
    assert "still take part" in refused(excinfo)["agencies_involved"][0]


def test_answers_of_the_wrong_kind_are_refused(staff, draft):
    with pytest.raises(ValidationError) as excinfo:
        services.notification_save_step(
            notification=draft,
            step="child",
            data=step_answers("child", date_of_birth="2020-01-01", age_years="6"),
            by=staff,
        )
    assert set(refused(excinfo)) == {"date_of_birth", "age_years"}


# Documents ------------------------------------------------------------------------------------


def test_a_document_is_stored_with_its_name_and_size(staff, draft):
    attachment = services.attachment_add(
        notification=draft, upload=pdf(), description=" Minutes ", by=staff
    )
    assert attachment.original_name == "strategy meeting.pdf"
    assert attachment.size == len(PDF_BYTES)
    assert attachment.description == "Minutes"
    assert "strategy" not in attachment.file.name
    assert attachment.file.read() == PDF_BYTES


def test_an_oversized_document_is_refused(staff, draft, settings):
    settings.PAPER_MAX_BYTES = 20
    with pytest.raises(ValidationError) as excinfo:
        services.attachment_add(
            notification=draft, upload=pdf(data=PDF_BYTES + b"x" * 40), description="", by=staff
        )
    assert "must be smaller than" in refused(excinfo)["file"][0]
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("notes.txt", b"plain text", "must be a PDF, Word or Excel file"),
        ("program.pdf", b"MZ\x90\x00 an executable", "is not a real PDF file"),
    ],
)
def test_a_document_of_the_wrong_type_is_refused(staff, draft, name, data, words):
    with pytest.raises(ValidationError) as excinfo:
        services.attachment_add(
            notification=draft, upload=pdf(name, data), description="", by=staff
        )
    assert words in refused(excinfo)["file"][0]
    assert not Attachment.objects.exists()


def test_removing_a_document_deletes_its_file_once_committed(
    staff, draft, django_capture_on_commit_callbacks
):
    attachment = services.attachment_add(notification=draft, upload=pdf(), description="", by=staff)
    storage, name = attachment.file.storage, attachment.file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.attachment_remove(attachment=attachment, by=staff)
    assert not Attachment.objects.exists()
    assert not storage.exists(name)


def test_discarding_a_draft_deletes_it_and_its_files(
    staff, draft, django_capture_on_commit_callbacks
):
    attachment = services.attachment_add(notification=draft, upload=pdf(), description="", by=staff)
    storage, name = attachment.file.storage, attachment.file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.notification_discard(notification=draft, by=staff)
    assert not Notification.objects.exists()
    assert not storage.exists(name)


def test_a_submitted_notification_cannot_be_discarded(staff, draft):
    fill(draft, staff)
    services.notification_submit(notification=draft, by=staff)
    with pytest.raises(services.NotificationNotDraft):
        services.notification_discard(notification=draft, by=staff)
    assert Notification.objects.filter(pk=draft.pk).exists()


# Submission -----------------------------------------------------------------------------------


@pytest.fixture
def christmas_eve_2026():
    """Thursday 24 December 2026: Christmas Day, Boxing Day (moved to Monday 28th) and New
    Year's Day fall within the next 5 working days."""
    with time_machine.travel(datetime.datetime(2026, 12, 24, 10, tzinfo=LONDON), tick=False):
        yield datetime.date(2026, 12, 24)


def test_submitting_gives_a_reference_and_starts_the_panel_clock_in_working_days(
    staff, christmas_eve_2026
):
    draft = services.notification_start(by=staff)
    fill(
        draft,
        staff,
        incident={
            "incident_date": datetime.date(2026, 12, 23),
            "aware_date": datetime.date(2026, 12, 24),
        },
    )
    submitted = services.notification_submit(notification=draft, by=staff)
    submitted.refresh_from_db()
    assert submitted.status == NotificationStatus.SUBMITTED
    assert submitted.reference == f"SIN-2026-{submitted.pk:05d}"
    assert timezone.localtime(submitted.submitted_at).date() == christmas_eve_2026
    clock = Clock.objects.get(notification=submitted, kind=ClockKind.PANEL_NOTIFICATION)
    # 29, 30, 31 December, 4 and 5 January: the bank holidays are not counted.
    assert clock.due_on == datetime.date(2027, 1, 5)
    assert clock.starts_on == datetime.date(2026, 12, 24)


def test_an_earlier_notification_with_the_same_nhs_number_is_flagged(staff, draft):
    earlier = NotificationFactory(
        nhs_number=VALID_NHS, first_name="Someone", last_name="Else", incident_date=days_ago(30)
    )
    fill(draft, staff)
    services.notification_submit(notification=draft, by=staff)
    flag = PossibleDuplicate.objects.get(notification=draft)
    assert flag.match == earlier
    assert flag.reason == MatchReason.NHS_NUMBER


def test_submission_emails_the_notifier_and_the_case_review_chair_and_secretariat_once(
    staff, draft, board, secretariat, django_capture_on_commit_callbacks
):
    chair = case_review_chair(board)
    fill(draft, staff)
    with django_capture_on_commit_callbacks(execute=True):
        services.notification_submit(notification=draft, by=staff)
    draft.refresh_from_db()
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {staff.email, chair.email, secretariat.email}
    receipt = by_recipient[staff.email]
    assert draft.reference in receipt.subject
    assert f"/notifications/{draft.pk}/" in receipt.body
    for address in (chair.email, secretariat.email):
        assert draft.reference in by_recipient[address].body
        assert f"/case-review/cases/{draft.pk}/" in by_recipient[address].body
    for message in mail.outbox:
        html = message.alternatives[0][0]
        # The greeting names the recipient, who may share a name with the child by chance.
        text = "\n".join(
            line
            for line in (message.subject + "\n" + message.body + "\n" + html).splitlines()
            if "Dear " not in line
        )
        for detail in ("Amelia", "O'Brien", escape("O'Brien"), VALID_NHS, "head injury"):
            assert detail not in text
    # Run again (a retry, a message delivered twice): nobody is emailed twice.
    assert send_notification_receipt.delay(draft.pk).get() is False
    assert send_notification_received.delay(draft.pk).get() == 0
    assert len(mail.outbox) == 3


def test_a_failed_email_is_given_back_and_sent_by_the_retry(staff, draft, board, secretariat):
    fill(draft, staff)
    services.notification_submit(notification=draft, by=staff)
    with (
        mock.patch(
            "casereview.services.notifications.send_templated_email",
            side_effect=SMTPException("mail server down"),
        ),
        pytest.raises(SMTPException),
    ):
        services.notification_receipt_send(notification_pk=draft.pk)
    assert not mail.outbox
    assert services.notification_receipt_send(notification_pk=draft.pk) is True
    assert [m.to for m in mail.outbox] == [[staff.email]]


def test_a_draft_is_never_emailed_about(staff, draft, board, secretariat):
    assert services.notification_receipt_send(notification_pk=draft.pk) is False
    assert services.notification_received_send(notification_pk=draft.pk) == 0
    assert not mail.outbox


def test_submitting_with_answers_missing_names_them_and_changes_nothing(staff, draft):
    services.notification_save_step(
        notification=draft, step="child", data=step_answers("child"), by=staff
    )
    with pytest.raises(ValidationError) as excinfo:
        services.notification_submit(notification=draft, by=staff)
    errors = refused(excinfo)
    assert {"sex", "home_area", "incident_date", "harm", "in_custody", "safety_action"} <= set(
        errors
    )
    assert "first_name" not in errors
    assert {services.STEP_OF[field] for field in errors} == {
        "circumstances",
        "incident",
        "agencies",
    }
    draft.refresh_from_db()
    assert draft.is_draft
    assert draft.reference is None
    assert draft.first_name == "Amelia"
    assert not Clock.objects.exists()


def test_the_age_and_date_of_birth_are_checked_again_on_submission(staff):
    """Saved when the incident was not known (so checked against today), the age no longer
    fits once the incident is a year back."""
    draft = DraftFactory(
        notifier=staff,
        date_of_birth=years_ago(6, days=5),
        age_years=6,
        incident_date=days_ago(400),
        aware_date=days_ago(3),
        in_custody=False,
        home_area=home_area(),
        agencies_involved=[staff.agency],
    )
    with pytest.raises(ValidationError) as excinfo:
        services.notification_submit(notification=draft, by=staff)
    assert "does not match the date of birth" in refused(excinfo)["age_years"][0]
    assert services.STEP_OF["age_years"] == "child"
    draft.refresh_from_db()
    assert draft.is_draft


def test_a_missing_clock_rule_undoes_the_submission(staff, draft):
    fill(draft, staff)
    ReviewType.objects.update(is_active=False)
    with pytest.raises(ClockRuleMissing):
        services.notification_submit(notification=draft, by=staff)
    draft.refresh_from_db()
    assert draft.is_draft
    assert draft.reference is None
    assert draft.submitted_at is None
    assert not Clock.objects.exists()


def test_a_second_submission_is_refused_as_stale(staff, draft):
    fill(draft, staff)
    stale = Notification.objects.get(pk=draft.pk)
    services.notification_submit(notification=draft, by=staff)
    with pytest.raises(services.NotificationNotDraft):
        services.notification_submit(notification=stale, by=staff)
    assert Clock.objects.filter(notification=draft).count() == 1


def test_only_the_notifier_may_submit(staff, draft):
    fill(draft, staff)
    colleague = UserFactory(agency=staff.agency)
    with pytest.raises(PermissionDenied):
        services.notification_submit(notification=draft, by=colleague)
    draft.refresh_from_db()
    assert draft.is_draft


def test_documents_go_with_the_submission(staff, draft):
    fill(draft, staff)
    AttachmentFactory(notification=draft, uploaded_by=staff)
    services.notification_submit(notification=draft, by=staff)
    assert draft.attachments.count() == 1


def test_a_draft_takes_a_limited_number_of_documents(staff, draft, monkeypatch):
    monkeypatch.setattr(services, "MAX_ATTACHMENTS", 1)
    services.attachment_add(notification=draft, upload=pdf(), description="", by=staff)
    with pytest.raises(ValidationError) as excinfo:
        services.attachment_add(notification=draft, upload=pdf("two.pdf"), description="", by=staff)
    assert "up to 1 documents" in refused(excinfo)["file"][0]
    assert draft.attachments.count() == 1


def test_an_incident_more_than_18_years_ago_is_refused(board):
    from casereview.services.notifications import answer_problems

    today = datetime.date(2027, 3, 10)
    problems = answer_problems(
        {"incident_date": datetime.date(2009, 3, 9)}, fields=("incident_date",), today=today
    )
    assert "in the last 18 years" in problems["incident_date"][0]
    fine = answer_problems(
        {"incident_date": datetime.date(2009, 3, 10)}, fields=("incident_date",), today=today
    )
    assert "incident_date" not in fine
