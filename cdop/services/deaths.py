"""Notifying a child's death to the panel (DESIGN.md §5): one service for the signed-in form and
the public form, and the emails that follow.

The rules hold whatever form or page calls `death_notify`:
- only a child born alive and under 18 at death is in scope: a stillbirth, or a person 18 or
  over, is refused with a message that says where such a death goes instead;
- no date or time is in the future, and the child died on or after the day they were born;
- an NHS number, when given, has a correct check digit, and is stored as its 10 digits;
- a looked-after child's authority is named (and only then);
- the death is this panel's: the child lived here, died here, or was looked after by our
  authority (`jurisdiction`); otherwise the message names the panel to tell instead;
- a public notifier names their agency from the list or types their organisation.

Derived on notification: the age at death (days and years), its band, neonatal (under 28 days),
the key the names are compared by, the panel that reviews, and the reference. Earlier deaths with
the same NHS number, or the same names and date of birth, are flagged for the coordinator, never
refused (and the public form says nothing of them). A child who lived elsewhere and died here, or
is looked after by another authority, is referred out to that area's panel: an outbound referral,
chased through the reminder engine, and an email to that panel (for a public notification, once
the coordinator has checked it: see `death_notify`).

Emails: the panel coordinator and the secretariat are told a death has been notified (the
reference and a link, never the child's details); a signed-in notifier gets a receipt (the same);
the other area's panel gets what it needs to identify the child, nothing more.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from hscb.lib import reminders
from hscb.lib.checks import (
    EMAIL_MESSAGE,
    check_each_answer,
    is_date,
    is_empty,
    long_date,
    queue_after_commit,
)
from hscb.lib.email import send_templated_email
from hscb.lib.names import child_name_key
from hscb.lib.nhs import normalise_nhs_number
from hscb.lib.workingdays import add_working_days
from hscb.models import Agency, Area, Ethnicity, Sex, User
from hscb.rules import SECRETARIAT_GROUP

from ..models import (
    NEONATAL_DAYS,
    ChildDeath,
    DeathDuplicate,
    DeathStatus,
    Direction,
    Expectation,
    MatchReason,
    NotifiedVia,
    PlaceSetting,
    Referral,
    ReferralStatus,
    age_band,
    age_in_years,
)
from .jurisdiction import Jurisdiction, home_area, jurisdiction, panel_contact
from .people import panel_coordinator, panel_group

logger = logging.getLogger(__name__)

# The questions, in the order the forms ask them. The notifier's name, email and agency are
# asked only on the public form: a signed-in notifier's come from their account.
SCOPE_FIELDS = ("born_alive",)
CHILD_FIELDS = (
    "first_name",
    "last_name",
    "nhs_number",
    "date_of_birth",
    "sex",
    "ethnicity",
)
DEATH_FIELDS = (
    "died_on",
    "died_at_time",
    "place_area",
    "place_setting",
    "place_detail",
    "residence_area",
    "looked_after",
    "looked_after_by",
    "expectation",
    "circumstances",
)
NOTIFIER_FIELDS = ("notifier_role", "notifier_phone")
PUBLIC_NOTIFIER_FIELDS = (
    "notifier_name",
    "notifier_role",
    "notifier_agency",
    "notifier_organisation",
    "notifier_email",
    "notifier_phone",
)
ACCOUNT_FIELDS = (*SCOPE_FIELDS, *CHILD_FIELDS, *DEATH_FIELDS, *NOTIFIER_FIELDS)
PUBLIC_FIELDS = (*SCOPE_FIELDS, *CHILD_FIELDS, *DEATH_FIELDS, *PUBLIC_NOTIFIER_FIELDS)

REQUIRED: dict[str, str] = {
    "born_alive": "Select yes if the child was born alive",
    "first_name": "Enter the child's first name",
    "last_name": "Enter the child's last name",
    "date_of_birth": "Enter the child's date of birth",
    "sex": "Select the child's sex",
    "ethnicity": "Select the child's ethnic group",
    "died_on": "Enter the date of death",
    "place_area": "Select the area where the child died",
    "place_setting": "Select where the child died",
    "residence_area": "Select the area where the child normally lived",
    "looked_after": "Select yes if the child was looked after by a local authority",
    "expectation": "Select whether the death was expected or unexpected",
    "notifier_name": "Enter your full name",
    "notifier_role": "Enter your job title or role",
    "notifier_email": "Enter your email address",
    "notifier_phone": "Enter your telephone number",
}
TEXT_LIMITS: dict[str, tuple[int, str]] = {
    "first_name": (100, "The first name"),
    "last_name": (100, "The last name"),
    "place_detail": (200, "The place of death in more detail"),
    "circumstances": (10000, "The known circumstances"),
    "notifier_name": (200, "Your name"),
    "notifier_role": (200, "Your job title or role"),
    "notifier_organisation": (200, "The name of your organisation"),
    "notifier_email": (254, "Your email address"),
    "notifier_phone": (40, "Your telephone number"),
}
CHOICES: dict[str, type] = {
    "sex": Sex,
    "ethnicity": Ethnicity,
    "place_setting": PlaceSetting,
    "expectation": Expectation,
}
DATE_FIELDS = ("date_of_birth", "died_on")
AREA_FIELDS = ("place_area", "residence_area", "looked_after_by")
YES_NO_FIELDS = ("born_alive", "looked_after")
TEXT_FIELDS = (*TEXT_LIMITS, *CHOICES, "nhs_number")

AGENCY_OR_ORGANISATION = "Enter the name of your organisation"
LOOKED_AFTER_BY_MISSING = "Select the local authority that was looking after the child"
LOOKED_AFTER_BY_NOT_ASKED = (
    "You answered that the child was not looked after: leave the authority blank, or answer yes"
)

# Where a death this panel does not review goes instead. Worded for a professional who may be
# upset: plain, and clear about what to do next.
STILLBIRTH_MESSAGE = (
    "A stillbirth (a baby born with no signs of life) is not reviewed by a child death overview "
    "panel, so it cannot be notified here. The maternity unit where the baby was born reviews "
    "it with the national Perinatal Mortality Review Tool and reports it to MBRRACE-UK, and the "
    "local maternity and neonatal system oversees those reviews: contact the maternity unit. "
    "If the baby showed any sign of life after birth, however brief, answer yes"
)


def adult_message(*, born: datetime.date, died: datetime.date, years: int) -> str:
    return (
        "This form is only for the death of a child under 18. Someone born on "
        f"{long_date(born)} was {years} when they died on {long_date(died)}, and the deaths of "
        "adults are not reviewed "
        "by the child death overview panel. Report the death to the coroner if it needs to be, "
        "and if abuse or neglect may have played a part, tell the local safeguarding adults "
        "board, which decides whether to hold a safeguarding adults review. If a date is wrong, "
        "correct it"
    )


def fields_for(via: str) -> tuple[str, ...]:
    return ACCOUNT_FIELDS if via == NotifiedVia.ACCOUNT else PUBLIC_FIELDS


# The rules -----------------------------------------------------------------------------------


def death_problems(
    values: Mapping[str, Any],
    *,
    fields: tuple[str, ...] | list[str],
    today: datetime.date,
    now: datetime.time | None = None,
) -> dict[str, list[str]]:
    """What is wrong with the answers named by `fields` (the others are not checked, and a rule
    that ties answers together is checked only when all of them are among `fields`). Values are
    as the service takes them: trimmed text, dates, a time, areas, an agency, yes as True.
    `now` is the time of day, for a death today (by default, the local time now).

    Raises `HomeAreaMissing` when no area is the home area (the board's set-up is incomplete)."""
    wanted = set(fields)
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        if field in wanted and message not in errors.setdefault(field, []):
            errors[field].append(message)

    def known(*names: str) -> bool:
        return all(name in wanted and not is_empty(values.get(name)) for name in names)

    check_each_answer(values, add, required=REQUIRED, text_limits=TEXT_LIMITS, choices=CHOICES)
    email = values.get("notifier_email")
    if isinstance(email, str) and email.strip() and "\x00" not in email:
        try:
            validate_email(email.strip())
        except ValidationError:
            add("notifier_email", EMAIL_MESSAGE)
    if "notifier_agency" in wanted and "notifier_organisation" in wanted:
        agency = values.get("notifier_agency")
        unnamed = agency is None and is_empty(values.get("notifier_organisation"))
        if unnamed or (agency is not None and not agency.is_active):
            add("notifier_agency", AGENCY_OR_ORGANISATION)

    # In scope: a child born alive ...
    if values.get("born_alive") is False:
        add("born_alive", STILLBIRTH_MESSAGE)
    # ... who died on or after the day they were born, by today, before their 18th birthday.
    born, died = values.get("date_of_birth"), values.get("died_on")
    born = born if known("date_of_birth") and is_date(born) else None
    died = died if known("died_on") and is_date(died) else None
    if born and born > today:
        add("date_of_birth", "The date of birth must be today or in the past")
        born = None
    if died and died > today:
        add("died_on", "The date of death must be today or in the past")
        died = None
    at = values.get("died_at_time")
    if (
        died == today
        and known("died_at_time")
        and isinstance(at, datetime.time)
        and at > (now or timezone.localtime().time())
    ):
        add("died_at_time", "The time of death must be in the past")
    if born and died:
        if died < born:
            add(
                "died_on",
                "The date of death must be the same as or after the date of birth "
                f"({long_date(born)})",
            )
        elif (years := age_in_years(born, died)) >= 18:
            add("date_of_birth", adult_message(born=born, died=died, years=years))

    # A looked-after child's authority, and only a looked-after child's.
    looked_after, authority = values.get("looked_after"), values.get("looked_after_by")
    if "looked_after" in wanted and "looked_after_by" in wanted:
        if looked_after is True and authority is None:
            add("looked_after_by", LOOKED_AFTER_BY_MISSING)
        elif looked_after is False and authority is not None:
            add("looked_after_by", LOOKED_AFTER_BY_NOT_ASKED)

    # This panel's death to review (or to refer on), else the panel to tell instead.
    if (
        known("place_area", "residence_area", "looked_after")
        and "looked_after_by" in wanted
        and "looked_after_by" not in errors
    ):
        try:
            jurisdiction(
                residence_area=values["residence_area"],
                place_area=values["place_area"],
                looked_after_by=authority if looked_after else None,
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                for message in messages:
                    add(field, message)
    return {field: messages for field, messages in errors.items() if messages}


def _cleaned(data: Mapping[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    """The answers named by `fields`, text trimmed; anything else in `data` is ignored."""
    cleaned: dict[str, Any] = {}
    for field in fields:
        value = data.get(field)
        if field in TEXT_FIELDS:
            value = (value or "").strip() if isinstance(value, str) or value is None else value
        cleaned[field] = value
    return cleaned


def _type_problems(cleaned: Mapping[str, Any]) -> dict[str, list[str]]:
    """Answers of the wrong kind (a caller's mistake, not a person's): refused, never saved."""
    errors: dict[str, list[str]] = {}
    for field in DATE_FIELDS:
        value = cleaned.get(field)
        if value is not None and not is_date(value):
            errors[field] = ["Enter a real date"]
    time = cleaned.get("died_at_time")
    if time is not None and not isinstance(time, datetime.time):
        errors["died_at_time"] = ["Enter a real time"]
    for field in AREA_FIELDS:
        value = cleaned.get(field)
        if value is not None and not isinstance(value, Area):
            errors[field] = ["Select the area from the list"]
    for field in YES_NO_FIELDS:
        if field in cleaned and cleaned[field] not in (True, False, None):
            errors[field] = [REQUIRED[field]]
    agency = cleaned.get("notifier_agency")
    if agency is not None and not isinstance(agency, Agency):
        errors["notifier_agency"] = [AGENCY_OR_ORGANISATION]
    for field in TEXT_FIELDS:
        if field in cleaned and not isinstance(cleaned[field], str):
            errors[field] = [REQUIRED.get(field, "Enter text")]
    return errors


# Notifying -----------------------------------------------------------------------------------


def _notifier(via: str, by: User | None, cleaned: Mapping[str, Any]) -> dict[str, Any]:
    """Who notified: a signed-in notifier's name, email and agency come from their account."""
    if via == NotifiedVia.ACCOUNT:
        assert by is not None
        return {
            "notifier": by,
            "notifier_name": by.get_full_name() or by.email,
            "notifier_email": by.email,
            "notifier_agency": by.agency,
            "notifier_organisation": "",
            "notifier_role": cleaned["notifier_role"],
            "notifier_phone": cleaned["notifier_phone"],
        }
    return {
        "notifier": None,
        **{field: cleaned[field] for field in PUBLIC_NOTIFIER_FIELDS},
        "notifier_email": cleaned["notifier_email"].lower(),
    }


def _placeholder_reference() -> str:
    """A unique stand-in until the row has its number (the reference is made from it)."""
    return f"NEW-{uuid.uuid4().hex[:16]}"


def death_reference(death: ChildDeath, today: datetime.date) -> str:
    return f"CDOP-{today.year}-{death.pk:05d}"


def derived_fields(born: datetime.date, died: datetime.date) -> dict[str, Any]:
    """What is worked out from the dates: the age at death in days and years, its band, and
    whether the death was neonatal (under 28 days)."""
    days = (died - born).days
    return {
        "age_days": days,
        "age_years": age_in_years(born, died),
        "band": age_band(born, died),
        "is_neonatal": days < NEONATAL_DAYS,
    }


def death_create(*, today: datetime.date, **fields: Any) -> ChildDeath:
    """Save a death whose answers have passed every rule (`fields`: the model's own), however it
    was notified: its derived fields and the key its names are compared by are worked out here,
    its reference is made from its row's number, and earlier deaths that may be the same
    child's are flagged. Call it inside a transaction (the reference is set after the row is
    saved)."""
    death = ChildDeath(
        reference=_placeholder_reference(),
        status=DeathStatus.NOTIFIED,
        name_key=child_name_key(fields["first_name"], fields["last_name"]),
        **derived_fields(fields["date_of_birth"], fields["died_on"]),
        **fields,
    )
    death.save()
    death.reference = death_reference(death, today)
    death.save(update_fields=["reference"])
    duplicates_flag(death=death)
    return death


def death_notify(
    *,
    via: str,
    by: User | None = None,
    data: Mapping[str, Any],
    today: datetime.date | None = None,
) -> ChildDeath:
    """Record a child's death notified through the signed-in form (`via` account, `by` the
    notifier) or the public form (`via` public form, the notifier's details in `data`), if every
    answer is there and every rule holds; nothing is saved otherwise, and the ValidationError
    names each field that is wrong.

    Once committed: the panel coordinator and the secretariat are told; a signed-in notifier
    gets a receipt; a death referred out by a signed-in notifier is emailed to the other area's
    panel. A public notification's referral is made but not emailed: the coordinator checks the
    notification, then emails it (`cdop.services.referrals.referral_send`). A death notified by
    another area's panel (`via` other panel) is never referred back out from here: the referral
    it came with is recorded by the referrals service.
    """
    from cdop.tasks.notify import send_death_notified, send_death_receipt, send_death_referral

    if via not in NotifiedVia.values:
        raise ValueError(f"{via!r} is not a way of notifying a death.")
    if via == NotifiedVia.ACCOUNT:
        agency = getattr(by, "agency", None)
        if by is None or not by.is_active or agency is None or not agency.is_active:
            raise PermissionDenied("Signed-in notifications are for staff of partner agencies.")
    today = today or timezone.localdate()
    fields = fields_for(via)
    cleaned = _cleaned(data, fields)
    errors = _type_problems(cleaned)
    if errors:
        raise ValidationError(errors)
    errors = death_problems(cleaned, fields=fields, today=today)
    if errors:
        raise ValidationError(errors)
    looked_after_by = cleaned["looked_after_by"] if cleaned["looked_after"] else None
    where = jurisdiction(
        residence_area=cleaned["residence_area"],
        place_area=cleaned["place_area"],
        looked_after_by=looked_after_by,
    )
    with transaction.atomic():
        death = death_create(
            today=today,
            via=via,
            **_notifier(via, by, cleaned),
            first_name=cleaned["first_name"],
            last_name=cleaned["last_name"],
            nhs_number=normalise_nhs_number(cleaned["nhs_number"]),
            date_of_birth=cleaned["date_of_birth"],
            sex=cleaned["sex"],
            ethnicity=cleaned["ethnicity"],
            died_on=cleaned["died_on"],
            died_at_time=cleaned["died_at_time"],
            place_area=cleaned["place_area"],
            place_setting=cleaned["place_setting"],
            place_detail=cleaned["place_detail"],
            residence_area=cleaned["residence_area"],
            looked_after_by=looked_after_by,
            expectation=cleaned["expectation"],
            circumstances=cleaned["circumstances"],
            reviewing_area=where.reviewing_area,
        )
        if where.refer_out_to is not None and via != NotifiedVia.OTHER_PANEL:
            referral = _refer_out(death=death, where=where, today=today)
            # Only a signed-in notifier is known to us. Anyone can type anything on the public
            # form, so its referral waits for the panel to check the notification and email it
            # (`referral_send`): this system must not pass a stranger's words to another panel.
            if via == NotifiedVia.ACCOUNT:
                queue_after_commit(send_death_referral, referral.pk)
        # Queued once, from this transaction's commit, and only from here: see
        # `death_notified_send` for why that makes the email go once.
        queue_after_commit(send_death_notified, death.pk)
        if via == NotifiedVia.ACCOUNT:
            queue_after_commit(send_death_receipt, death.pk)
    return death


def duplicates_flag(*, death: ChildDeath) -> list[DeathDuplicate]:
    """Flag the deaths notified before this one that may be the same child's: the same NHS
    number, or else the same names (as `child_name_key` compares them) and date of birth. Safe
    to call twice (a pair is flagged once)."""
    by_nhs = Q(nhs_number=death.nhs_number) if death.nhs_number else Q(pk__in=[])
    by_name = Q(pk__in=[])
    if death.name_key:
        by_name = Q(name_key=death.name_key, date_of_birth=death.date_of_birth)
    matches = (
        ChildDeath.objects.filter(pk__lt=death.pk)
        .filter(by_nhs | by_name)
        .only("pk", "nhs_number")
        .order_by("pk")
    )
    flagged = []
    for match in matches:
        same_nhs = bool(death.nhs_number) and match.nhs_number == death.nhs_number
        flag, _ = DeathDuplicate.objects.get_or_create(
            death=death,
            match=match,
            defaults={"reason": MatchReason.NHS_NUMBER if same_nhs else MatchReason.NAME_AND_DOB},
        )
        flagged.append(flag)
    return flagged


def referral_owner() -> User | None:
    """Who is chased about a referral's step awaited: the panel's coordinator (its secretariat
    seat, else its chair), else the business unit's first member of staff, so that a panel not
    yet set up still has its referrals chased. None only when there is nobody at all."""
    coordinator = panel_coordinator()
    if coordinator is not None:
        return coordinator
    return (
        User.objects.filter(is_active=True, is_staff=True, groups__name=SECRETARIAT_GROUP)
        .order_by("pk")
        .first()
    )


def _refer_out(*, death: ChildDeath, where: Jurisdiction, today: datetime.date) -> Referral:
    """The outbound referral to the panel that is proposed to review the death: sent today, its
    acknowledgement due within `CDOP_REFERRAL_ANSWER_WORKING_DAYS` working days and chased to
    the panel coordinator (or whoever stands in: `referral_owner`)."""
    assert where.refer_out_to is not None
    owner = referral_owner()
    if owner is None:
        logger.warning(
            "The referral of %s will not be chased: the panel has no coordinator or chair and "
            "the business unit has no staff.",
            death.reference,
        )
    referral = Referral(
        death=death,
        direction=Direction.OUTBOUND,
        other_area=where.refer_out_to,
        status=ReferralStatus.SENT,
        sent_on=today,
        owner=owner,
        group=panel_group(),
        next_step_due=add_working_days(today, settings.CDOP_REFERRAL_ANSWER_WORKING_DAYS),
    )
    reminders.rearm(referral)
    referral.save()
    return referral


# Emails --------------------------------------------------------------------------------------


def death_notified_recipients() -> list[User]:
    """The panel coordinator and the business unit's staff, with open accounts, each once."""
    who = Q(is_staff=True, groups__name=SECRETARIAT_GROUP)
    coordinator = panel_coordinator()
    if coordinator is not None:
        who |= Q(pk=coordinator.pk)
    people = User.objects.filter(is_active=True).filter(who).exclude(email="")
    return list(people.distinct().order_by("last_name", "first_name", "pk"))


def death_notified_send(*, death_pk: int) -> int:
    """Tell the panel coordinator and the secretariat that a death has been notified: its
    reference and a link to the case, nothing about the child. Returns how many were told.

    Sent once without a claim row (the app has no model for one, and a cache entry is not
    durable): the task is queued only from the notifying transaction's commit, and the email is
    one message to all of them, so a failed send (retried by Celery) has reached nobody and a
    retry cannot tell anyone twice. Only a worker lost between sending and acknowledging the task
    could send it again, and then the copy holds a reference and a link, nothing more."""
    death = ChildDeath.objects.filter(pk=death_pk).only("pk", "reference", "notified_at").first()
    if death is None:
        return 0
    people = death_notified_recipients()
    if not people:
        logger.warning(
            "Death %s was notified but nobody was told: the panel has no coordinator and the "
            "business unit has no staff.",
            death.reference,
        )
        return 0
    send_templated_email(
        "death_notified",
        to=[person.email for person in people],
        context={"death": death, "link": settings.SITE_URL + death.get_absolute_url()},
    )
    return len(people)


def death_receipt_send(*, death_pk: int) -> bool:
    """A signed-in notifier's receipt: the reference, when it was received, and a link to their
    agency's notifications. Nothing about the child. (The public form gives no receipt by email:
    anyone can type any address there, and this system must not write to strangers about child
    deaths; it shows the reference on screen instead.) Queued once, like `death_notified_send`."""
    death = (
        ChildDeath.objects.filter(pk=death_pk, via=NotifiedVia.ACCOUNT)
        .select_related("notifier")
        .only("pk", "reference", "notified_at", "notifier")
        .first()
    )
    if death is None or death.notifier is None or not death.notifier.is_active:
        return False
    send_templated_email(
        "death_receipt",
        to=[death.notifier.email],
        context={
            "person": death.notifier,
            "death": death,
            "link": settings.SITE_URL + reverse("cdop:own_notification_list"),
        },
    )
    return True


def death_referral_send(*, referral_pk: int) -> bool:
    """Email an outbound referral to the other area's panel, once: claimed by setting
    `emailed_at` only where it is empty, and given back if the send fails so that a retry sends
    it. An area with no panel email address gets nothing: the referral stays unsent
    (`emailed_at` empty) for the coordinator to see, and a warning is logged.

    This email goes to another statutory child death overview panel. It carries what that panel
    needs to identify the child and reach the notifier (the reference, the date of death, the
    child's names and date of birth, the notifier's contact details) and nothing more: not the
    circumstances, not the NHS number, not this panel's findings."""
    referral = (
        Referral.objects.filter(pk=referral_pk, direction=Direction.OUTBOUND)
        .select_related("death", "death__notifier_agency", "other_area")
        .first()
    )
    if referral is None or referral.emailed_at is not None:
        return False
    area = referral.other_area
    if not area.cdop_email:
        logger.warning(
            "Referral of %s not sent: no email address for %s's panel.",
            referral.death.reference,
            area.name,
        )
        return False
    sent_at = timezone.now()
    claimed = Referral.objects.filter(pk=referral.pk, emailed_at=None).update(emailed_at=sent_at)
    if not claimed:
        return False
    try:
        home = home_area()
        send_templated_email(
            "death_referral",
            to=[area.cdop_email],
            context={
                "referral": referral,
                "death": referral.death,
                "area": area,
                "panel_name": area.cdop_name or f"{area.name} child death overview panel",
                "our_panel": panel_contact(home),
                "home": home,
            },
        )
    except Exception:
        Referral.objects.filter(pk=referral.pk, emailed_at=sent_at).update(emailed_at=None)
        raise
    return True
