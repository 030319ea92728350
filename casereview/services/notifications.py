"""Every write to a serious-incident notification from agency staff: a draft started, answered
step by step, its documents added and removed, discarded or submitted; and the emails that
follow a submission (DESIGN.md §4).

The rules hold whatever form or page calls these functions:
- a draft is its notifier's alone, and only a draft changes (`NotificationNotDraft` otherwise);
- no date is in the future, and the agency became aware on or after the day of the incident;
- a date of birth or an approximate age is given; the child was born by the day of the incident
  and was under 18 on it (today while that day is not known); an age given with a date of birth
  is the child's age on that day;
- an NHS number, when given, has a correct check digit, and is stored as its 10 digits;
- documents are PDF, Word or Excel files smaller than `PAPER_MAX_BYTES`;
- on submission every required answer is there and every rule holds again.

Emails never name the child: a reference and a link. Each is sent once however often its task
runs (see `case_email_claim`).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from hscb.lib.checks import (
    check_each_answer,
    is_date,
    is_empty,
    long_date,
    queue_after_commit,
)
from hscb.lib.email import send_templated_email
from hscb.lib.names import child_name_key
from hscb.lib.nhs import normalise_nhs_number
from hscb.lib.retention import delete_with_history
from hscb.lib.uploads import clean_file_name, validate_document
from hscb.models import Agency, Area, GroupFunction, Membership, MembershipRole, User
from hscb.rules import SECRETARIAT_GROUP

from ..models import (
    AbuseOrNeglect,
    Attachment,
    CaseEmail,
    Ethnicity,
    Harm,
    LegalStatus,
    Notification,
    Sex,
)
from .clocks import clock_start_panel_notification
from .duplicates import duplicates_flag

# The answers each step of the form asks for, in the order it asks.
STEP_FIELDS: dict[str, tuple[str, ...]] = {
    "child": ("first_name", "last_name", "other_names", "date_of_birth", "age_years", "nhs_number"),
    "circumstances": ("sex", "ethnicity", "home_area", "legal_status"),
    "incident": (
        "incident_date",
        "incident_description",
        "aware_date",
        "harm",
        "abuse_or_neglect",
        "in_custody",
    ),
    "agencies": ("agencies_involved", "safety_action", "notifier_phone"),
    "attachments": (),
}
STEP_OF: dict[str, str] = {field: step for step, fields in STEP_FIELDS.items() for field in fields}
ANSWER_FIELDS: tuple[str, ...] = tuple(STEP_OF)

REQUIRED: dict[str, str] = {
    "first_name": "Enter the child's first name",
    "last_name": "Enter the child's last name",
    "sex": "Select the child's sex",
    "ethnicity": "Select the child's ethnic group",
    "home_area": "Select the area the child lives in",
    "legal_status": "Select the child's legal status",
    "incident_date": "Enter the date of the incident",
    "incident_description": "Enter what happened",
    "aware_date": "Enter the date your agency became aware",
    "harm": "Select whether the child died or was seriously harmed",
    "abuse_or_neglect": "Select whether abuse or neglect is known or suspected",
    "in_custody": "Select yes if the child was in custody or a secure setting",
    "agencies_involved": "Select the agencies involved with the child",
    "safety_action": "Enter the immediate safety action taken",
    "notifier_phone": "Enter your telephone number",
}
DOB_OR_AGE = "Enter the child's date of birth or their approximate age"
TEXT_LIMITS: dict[str, tuple[int, str]] = {
    "first_name": (100, "The first name"),
    "last_name": (100, "The last name"),
    "other_names": (200, "Other names"),
    "incident_description": (10000, "What happened"),
    "safety_action": (10000, "The immediate safety action taken"),
    "notifier_phone": (40, "The telephone number"),
}
CHOICES: dict[str, type] = {
    "sex": Sex,
    "ethnicity": Ethnicity,
    "legal_status": LegalStatus,
    "harm": Harm,
    "abuse_or_neglect": AbuseOrNeglect,
}
AGE_MAX = 17
MAX_ATTACHMENTS = 20
DESCRIPTION_MAX = 200


class NotificationNotDraft(Exception):
    """The notification has been submitted (perhaps from another tab): it no longer changes."""

    def __init__(self, notification: Notification) -> None:
        self.notification = notification
        super().__init__(f"{notification} has already been submitted.")


class NotReadable:
    """An answer the form could not read (its own error is shown): present, but not checked."""

    def __repr__(self) -> str:
        return "NOT_READABLE"


NOT_READABLE = NotReadable()


def age_on(date_of_birth: datetime.date, day: datetime.date) -> int:
    return (
        day.year
        - date_of_birth.year
        - ((day.month, day.day) < (date_of_birth.month, date_of_birth.day))
    )


# The rules -----------------------------------------------------------------------------------


def answer_problems(
    values: Mapping[str, Any], *, fields: Iterable[str], today: datetime.date
) -> dict[str, list[str]]:
    """What is wrong with the answers named by `fields`, given all the answers in `values` (a
    step's new answers over the draft's others). A missing answer counts only when it is among
    `fields`. The rules that tie the child's dates to the incident are checked with the child's
    answers: on the child step, and on submission, where they lead back to that step."""
    fields = set(fields)
    errors: dict[str, list[str]] = defaultdict(list)

    def add(field: str, message: str) -> None:
        if field in fields and message not in errors[field]:
            errors[field].append(message)

    check_each_answer(values, add, required=REQUIRED, text_limits=TEXT_LIMITS, choices=CHOICES)

    incident, aware = values.get("incident_date"), values.get("aware_date")
    incident = incident if is_date(incident) else None
    aware = aware if is_date(aware) else None
    if incident and incident > today:
        add("incident_date", "The date of the incident must be today or in the past")
    elif incident and incident < _years_before(today, 18):
        add(
            "incident_date",
            "The date of the incident must be in the last 18 years: a notification is about "
            "someone who was a child when it happened",
        )
    if aware and aware > today:
        add("aware_date", "The date your agency became aware must be today or in the past")
    if incident and aware and aware < incident:
        add(
            "aware_date",
            "The date your agency became aware must be the same as or after the date of the "
            f"incident ({long_date(incident)})",
        )
    for message_field, message in _child_age_problems(values, incident=incident, today=today):
        add(message_field, message)
    return dict(errors)


def _child_age_problems(
    values: Mapping[str, Any], *, incident: datetime.date | None, today: datetime.date
) -> list[tuple[str, str]]:
    dob, age = values.get("date_of_birth"), values.get("age_years")
    if dob is None and age is None:
        return [("date_of_birth", DOB_OR_AGE)]
    problems: list[tuple[str, str]] = []
    age_readable = isinstance(age, int) and not isinstance(age, bool)
    if age_readable and not 0 <= age <= AGE_MAX:
        problems.append(
            ("age_years", "The child must be under 18: enter an approximate age from 0 to 17")
        )
        age_readable = False
    if not is_date(dob):
        return problems
    if dob > today:
        return [*problems, ("date_of_birth", "The date of birth must be today or in the past")]
    known = incident is not None and incident <= today
    on = incident if known else today
    if known and dob > on:
        return [
            *problems,
            (
                "date_of_birth",
                "The date of birth must be on or before the date of the incident "
                f"({long_date(on)})",
            ),
        ]
    years = age_on(dob, on)
    if years >= 18:
        when = f"on the date of the incident ({long_date(on)})" if known else "today"
        verb = "was" if known else "is"
        problems.append(
            (
                "date_of_birth",
                f"The child must be under 18 {when}: a child born on {long_date(dob)} "
                f"{verb} {years}",
            )
        )
    elif age_readable and age != years:
        when = f"on the date of the incident ({long_date(on)})" if known else "today"
        verb = "was" if known else "is"
        problems.append(
            (
                "age_years",
                f"The approximate age does not match the date of birth: a child born on "
                f"{long_date(dob)} {verb} {years} {when}. Correct the age, or leave it blank",
            )
        )
    return problems


def notification_values(notification: Notification) -> dict[str, Any]:
    """The draft's answers as the rules read them. "In custody" is a yes or no the model keeps
    as false until answered: it counts as answered once its step has been saved (that step
    cannot be saved without saying whether the child died or was seriously harmed)."""
    values: dict[str, Any] = {
        field: getattr(notification, field)
        for field in ANSWER_FIELDS
        if field not in ("agencies_involved", "home_area", "in_custody")
    }
    values["home_area"] = notification.home_area_id
    values["in_custody"] = notification.in_custody if notification.harm else None
    values["agencies_involved"] = list(notification.agencies_involved.all())
    return values


def notification_problems(
    notification: Notification, *, today: datetime.date | None = None
) -> dict[str, list[str]]:
    """Everything that stops the draft being submitted, by answer (`STEP_OF` gives its step)."""
    return answer_problems(
        notification_values(notification),
        fields=ANSWER_FIELDS,
        today=today or timezone.localdate(),
    )


def steps_unanswered(values: Mapping[str, Any]) -> list[str]:
    """The steps with a required answer missing, in order."""
    missing = {STEP_OF[field] for field in REQUIRED if is_empty(values.get(field))}
    if values.get("date_of_birth") is None and values.get("age_years") is None:
        missing.add("child")
    return [step for step in STEP_FIELDS if step in missing]


# Drafts --------------------------------------------------------------------------------------


def _lock_draft(notification: Notification, by: User) -> Notification:
    """The draft, re-read and locked for the rest of the transaction, if `by` may change it."""
    locked = Notification.objects.select_for_update().filter(pk=notification.pk).first()
    if locked is None or locked.notifier_id != by.pk:
        raise PermissionDenied("Only the person who started a notification can change it.")
    if not locked.is_draft:
        raise NotificationNotDraft(locked)
    return locked


def notification_start(*, by: User, referred_by_panel: bool = False) -> Notification:
    """A new draft for `by`'s agency. Their telephone number is carried over from their last
    notification, if they made one. `referred_by_panel`: made by the child death panel from a
    death it reviewed, which the referrer's agency does not see as its own."""
    if not by.has_perm("casereview.add_notification"):
        raise PermissionDenied("Only staff of a partner agency notify serious incidents.")
    previous = (
        Notification.objects.filter(notifier=by)
        .exclude(notifier_phone="")
        .order_by("-updated_at", "-pk")
        .values_list("notifier_phone", flat=True)
        .first()
    )
    return Notification.objects.create(
        agency=by.agency,
        notifier=by,
        notifier_phone=previous or "",
        referred_by_panel=referred_by_panel,
    )


def _cleaned_step(step: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """The step's answers from `data`, trimmed; anything else in `data` is ignored."""
    cleaned: dict[str, Any] = {}
    for field in STEP_FIELDS[step]:
        value = data.get(field)
        if field == "agencies_involved":
            value = list(value or [])
        elif field in TEXT_LIMITS or field in CHOICES or field == "nhs_number":
            value = (value or "").strip() if isinstance(value, str) or value is None else value
        cleaned[field] = value
    return cleaned


def _type_problems(cleaned: Mapping[str, Any]) -> dict[str, list[str]]:
    """Answers of the wrong kind (a caller's mistake, not a person's): refused, never saved."""
    errors: dict[str, list[str]] = {}
    for field in ("date_of_birth", "incident_date", "aware_date"):
        if field in cleaned and cleaned[field] is not None and not is_date(cleaned[field]):
            errors[field] = ["Enter a real date"]
    age = cleaned.get("age_years")
    if age is not None and (isinstance(age, bool) or not isinstance(age, int)):
        errors["age_years"] = ["Enter the approximate age as a whole number, like 7"]
    area = cleaned.get("home_area")
    if area is not None and not isinstance(area, Area):
        errors["home_area"] = [REQUIRED["home_area"]]
    if "in_custody" in cleaned and cleaned["in_custody"] not in (True, False, None):
        errors["in_custody"] = [REQUIRED["in_custody"]]
    for field in TEXT_LIMITS.keys() | CHOICES.keys() | {"nhs_number"}:
        if field in cleaned and not isinstance(cleaned[field], str):
            errors[field] = [REQUIRED.get(field, "Enter text")]
    if any(not isinstance(a, Agency) for a in cleaned.get("agencies_involved", [])):
        errors["agencies_involved"] = ["Select the agencies from the list"]
    return errors


def notification_save_step(
    *, notification: Notification, step: str, data: Mapping[str, Any], by: User
) -> Notification:
    """Save one step's answers to `by`'s draft, if they are complete and keep every rule.
    Nothing is saved otherwise: the ValidationError names each field that is wrong."""
    if step not in STEP_FIELDS or not STEP_FIELDS[step]:
        raise ValueError(f"There is no step of answers called {step!r}.")
    cleaned = _cleaned_step(step, data)
    errors = _type_problems(cleaned)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        draft = _lock_draft(notification, by)
        values = {**notification_values(draft), **cleaned}
        errors = answer_problems(values, fields=STEP_FIELDS[step], today=timezone.localdate())
        if step == "agencies":
            chosen = {a.pk for a in values["agencies_involved"]}
            kept = set(draft.agencies_involved.values_list("pk", flat=True))
            allowed = kept | set(
                Agency.objects.filter(pk__in=chosen, is_active=True).values_list("pk", flat=True)
            )
            if chosen - allowed:
                errors.setdefault("agencies_involved", []).append(
                    "Select agencies that still take part"
                )
        if errors:
            raise ValidationError(errors)
        if step == "child" and cleaned["nhs_number"]:
            cleaned["nhs_number"] = normalise_nhs_number(cleaned["nhs_number"])
        agencies = cleaned.pop("agencies_involved", None)
        for field, value in cleaned.items():
            setattr(draft, field, value)
        draft.save(update_fields=[*cleaned, "updated_at"])
        if agencies is not None:
            draft.agencies_involved.set(agencies)
    return draft


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def notification_keep_answers(
    *, notification: Notification, step: str, data: Mapping[str, Any], by: User
) -> list[str]:
    """ "Save and come back later" on a step with answers still wrong: keep each answer given in
    `data` that is of the right kind and within its limits, and leave the others as they were
    (the person is shown which were not saved). Nothing is checked against other answers: the
    whole notification is checked when it is submitted. Returns the fields kept."""
    if step not in STEP_FIELDS or not STEP_FIELDS[step]:
        raise ValueError(f"There is no step of answers called {step!r}.")
    given = {k: v for k, v in _cleaned_step(step, data).items() if k in data}
    problems = _type_problems(given)
    keep: dict[str, Any] = {}
    for field, value in given.items():
        if field in problems:
            continue
        if isinstance(value, str) and "\x00" in value:
            continue
        if field in TEXT_LIMITS and len(value) > TEXT_LIMITS[field][0]:
            continue
        if field in CHOICES and value and value not in CHOICES[field].values:
            continue
        if field == "nhs_number":
            value = normalise_nhs_number(value)
            if len(value) > 10 or (value and not (value.isascii() and value.isdigit())):
                continue
        if field == "age_years" and value is not None and not 0 <= value <= AGE_MAX:
            continue
        keep[field] = value
    with transaction.atomic():
        draft = _lock_draft(notification, by)
        agencies = keep.pop("agencies_involved", None)
        for field, value in keep.items():
            setattr(draft, field, value)
        draft.save(update_fields=[*keep, "updated_at"])
        if agencies is not None:
            draft.agencies_involved.set([a for a in agencies if a.is_active])
            keep["agencies_involved"] = agencies
    return list(keep)


def attachment_add(
    *, notification: Notification, upload: UploadedFile | None, description: str, by: User
) -> Attachment:
    """Add a document to `by`'s draft: a PDF, Word or Excel file under the size limit (checked
    here by name and first bytes, whatever the form did), stored under a name that gives
    nothing away, with its own name and size kept."""
    errors: dict[str, list[str]] = {}
    description = (description or "").strip()
    if upload is None:
        errors["file"] = ["Select a file to upload"]
    else:
        try:
            validate_document(upload)
        except ValidationError as error:
            errors["file"] = error.messages
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = [f"The description must be {DESCRIPTION_MAX} characters or fewer"]
    elif "\x00" in description:
        errors["description"] = ["The description must not contain null characters"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        draft = _lock_draft(notification, by)
        if draft.attachments.count() >= MAX_ATTACHMENTS:
            raise ValidationError(
                {
                    "file": [
                        f"You can upload up to {MAX_ATTACHMENTS} documents. Remove one to add "
                        "another"
                    ]
                }
            )
        attachment = Attachment(
            notification=draft,
            original_name=clean_file_name(upload.name or ""),
            size=upload.size,
            description=description,
            uploaded_by=by,
        )
        attachment.file = upload
        try:
            attachment.save()
        except Exception:
            # The file reached storage before the row failed to save: leave nothing behind.
            if attachment.file.name:
                attachment.file.storage.delete(attachment.file.name)
            raise
        Notification.objects.filter(pk=draft.pk).update(updated_at=timezone.now())
    return attachment


def _delete_files_on_commit(files: list[tuple[Any, str]]) -> None:
    def delete() -> None:
        for storage, name in files:
            storage.delete(name)

    transaction.on_commit(delete)


def attachment_remove(*, attachment: Attachment, by: User) -> None:
    """Take a document off `by`'s draft, and its file out of storage once that is committed."""
    with transaction.atomic():
        draft = _lock_draft(attachment.notification, by)
        if attachment.notification_id != draft.pk:
            raise PermissionDenied("The document is not on this notification.")
        files = [(attachment.file.storage, attachment.file.name)] if attachment.file else []
        # Its name and description may name the child: they leave its history too.
        delete_with_history(attachment)
        Notification.objects.filter(pk=draft.pk).update(updated_at=timezone.now())
        _delete_files_on_commit(files)


def notification_discard(*, notification: Notification, by: User) -> None:
    """Delete `by`'s draft with its documents, and their files once that is committed; the
    child's details leave the history of the draft and its documents (hscb.lib.retention)."""
    with transaction.atomic():
        draft = _lock_draft(notification, by)
        files = [(a.file.storage, a.file.name) for a in draft.attachments.all() if a.file]
        delete_with_history(draft)
        _delete_files_on_commit(files)


# Submission ----------------------------------------------------------------------------------


def notification_submit(*, notification: Notification, by: User) -> Notification:
    """Submit `by`'s draft once every answer is there and every rule holds again.

    It gets its reference, the clock to notify the national panel and Ofsted starts, possible
    duplicates are flagged, and once committed the notifier is sent a receipt and the Case
    Review chair and the secretariat are told. A missing rule for the clock
    (`ClockRuleMissing`) undoes it all and the draft stays as it was.
    """
    from casereview.tasks.notify import send_notification_receipt, send_notification_received

    with transaction.atomic():
        draft = _lock_draft(notification, by)
        today = timezone.localdate()
        errors = notification_problems(draft, today=today)
        if errors:
            raise ValidationError(errors)
        try:
            draft.submit()
            draft.reference = draft.make_reference(today)
            draft.name_key = child_name_key(draft.first_name, draft.last_name)
            draft.submitted_at = timezone.now()
            # The status and the reference go together (a check constraint says so).
            draft.save()
        except (ConcurrentTransition, TransitionNotAllowed):
            raise NotificationNotDraft(draft) from None
        clock_start_panel_notification(notification=draft)
        duplicates_flag(notification=draft)
        queue_after_commit(send_notification_receipt, draft.pk)
        queue_after_commit(send_notification_received, draft.pk)
    return draft


# Emails --------------------------------------------------------------------------------------


def received_recipients() -> list[User]:
    """The Case Review subgroup's current chairs and the business unit's staff, with open
    accounts, each once."""
    chairs = Membership.objects.current().filter(
        group__function=GroupFunction.CASE_REVIEW, group__is_active=True, role=MembershipRole.CHAIR
    )
    people = User.objects.filter(is_active=True).filter(
        Q(pk__in=chairs.values("user_id")) | Q(is_staff=True, groups__name=SECRETARIAT_GROUP)
    )
    return list(people.distinct().order_by("last_name", "first_name", "pk"))


def case_email_claim(
    notification: Notification, *, email: str, recipient: User
) -> CaseEmail | None:
    """Claim the sending of `email` about `notification` to `recipient`, or None if it has been
    claimed before (or the notification is a draft). The caller deletes the claim if sending
    fails, so a retry sends it then."""
    if notification.is_draft:
        return None
    try:
        with transaction.atomic():
            return CaseEmail.objects.create(
                notification=notification, kind=email, recipient=recipient
            )
    except IntegrityError:
        return None


def notification_receipt_send(*, notification_pk: int) -> bool:
    """Send the notifier their receipt: the reference, when it was received and a link to their
    agency's page for it. Sent once; False when it was sent before or cannot be."""
    notification = (
        Notification.objects.submitted()
        .select_related("notifier", "agency")
        .filter(pk=notification_pk)
        .first()
    )
    if notification is None or not notification.notifier.is_active:
        return False
    notifier = notification.notifier
    claim = case_email_claim(notification, email="notification_receipt", recipient=notifier)
    if claim is None:
        return False
    try:
        send_templated_email(
            "notification_receipt",
            to=[notifier.email],
            context={
                "person": notifier,
                "notification": notification,
                "link": settings.SITE_URL
                + reverse("casereview:notification_detail", kwargs={"pk": notification.pk}),
            },
        )
    except Exception:
        claim.delete()
        raise
    return True


def notification_received_send(*, notification_pk: int) -> int:
    """Tell the Case Review chairs and the secretariat that a notification has come in: its
    reference and a link to the case, nothing about the child. Each person is emailed once;
    returns how many were emailed this time."""
    notification = Notification.objects.submitted().filter(pk=notification_pk).first()
    if notification is None:
        return 0
    return case_emails_send(
        notification,
        email="notification_received",
        people=received_recipients(),
        context={"link": settings.SITE_URL + notification.get_absolute_url()},
    )


def case_emails_send(
    notification: Notification, *, email: str, people: Iterable[User], context: dict[str, Any]
) -> int:
    """Send the templated `email` about a case to each of `people` who has not had it, over one
    connection; returns how many were emailed this time. A failed send gives its claim back, so
    a retry sends it."""
    sent = 0
    with get_connection() as connection:
        for person in people:
            claim = case_email_claim(notification, email=email, recipient=person)
            if claim is None:
                continue
            try:
                send_templated_email(
                    email,
                    to=[person.email],
                    context={**context, "person": person, "notification": notification},
                    connection=connection,
                )
            except Exception:
                claim.delete()
                raise
            sent += 1
    return sent
