"""Cross-area referrals between child death overview panels (DESIGN.md §5, the seed text's
rule).

- A child who lived here and died elsewhere is notified to us by that area's panel: the
  coordinator records the death (made as a notified death is: `deaths.death_create`) and an
  inbound referral in one step (`referral_record_inbound`). (A child who lived elsewhere and
  died here is referred out when the death is notified: see `cdop.services.deaths`.)
- An outbound referral is emailed to the other area's panel when a signed-in notifier notifies
  the death; one from the public form only once the coordinator has checked the notification
  and asks for it (`referral_send`), which also sends one whose area had no panel email address
  when the death was notified.
- Each referral then moves sent → acknowledged → reviewing panel agreed → outcome reported, each
  step dated: not in the future, not before the step it follows, and recorded once. The step
  awaited is due `CDOP_REFERRAL_ANSWER_WORKING_DAYS` working days after the last, and the
  coordinator is chased about it by the reminder engine until the outcome is reported.
- The panels agree which reviews: by default where the child normally lived, or for a
  looked-after child the authority looking after them. When the other area's panel reviews,
  the case is handed over to it; when ours does, it stays (or becomes) ours.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from hscb.lib import reminders
from hscb.lib.checks import SHORT_LIMIT, check_date, check_text, long_date, queue_after_commit
from hscb.lib.nhs import normalise_nhs_number, validate_nhs_number
from hscb.lib.workingdays import add_months, add_working_days
from hscb.models import Area, Ethnicity, Sex, User

from ..models import (
    ChildDeath,
    DeathStatus,
    Direction,
    Expectation,
    NotifiedVia,
    PlaceSetting,
    Referral,
    ReferralStatus,
    ReviewingPanel,
    age_in_years,
)
from .deaths import STILLBIRTH_MESSAGE, adult_message, death_create
from .jurisdiction import HomeAreaMissing, home_area, jurisdiction, panel_contact
from .people import panel_coordinator, panel_group
from .progress import CHANGED

NAME_LIMIT = 100
PHONE_LIMIT = 40
EMAIL_LIMIT = 254
HOW_TOLD_LIMIT = 2000
NOTE_LIMIT = 5000
ADULT_AGE = 18


def _authorise(by: User) -> None:
    if not by.has_perm("cdop.see_referrals"):
        raise PermissionDenied(
            "Only the Child Death Overview Panel and the secretariat record cross-area referrals."
        )


def _home() -> Area:
    try:
        return home_area()
    except HomeAreaMissing as missing:
        raise ValidationError(str(missing)) from None


def _due_after(on: datetime.date) -> datetime.date:
    return add_working_days(on, settings.CDOP_REFERRAL_ANSWER_WORKING_DAYS)


def _chase(referral: Referral, *, by: User) -> list[str]:
    """Chase the coordinator about the step now awaited. Returns the fields set."""
    fields = ["next_step_due", "reminder_last_sent", "reminder_next_on"]
    if referral.owner_id is None:
        referral.owner = panel_coordinator() or by
        fields.append("owner")
    reminders.rearm(referral)
    return fields


# A death referred in by another area's panel ---------------------------------------------


def _choice(errors: dict[str, list[str]], name: str, value: str, choices, *, what: str) -> None:
    if value not in choices.values:
        errors[name] = [f"Choose {what}"]


def _check_child(
    errors: dict[str, list[str]],
    *,
    born_alive: bool | None,
    date_of_birth: datetime.date | None,
    died_on: datetime.date | None,
    today: datetime.date,
) -> None:
    """The panel's scope: a child born alive who died before turning 18, on real dates."""
    if born_alive is None:
        errors["born_alive"] = ["Say whether the child was born alive"]
    elif born_alive is not True:
        errors["born_alive"] = [STILLBIRTH_MESSAGE]
    check_date(errors, "date_of_birth", date_of_birth, what="the date of birth", today=today)
    check_date(errors, "died_on", died_on, what="the date of death", today=today)
    if "date_of_birth" in errors or "died_on" in errors:
        return
    if died_on < date_of_birth:
        errors["died_on"] = [
            f"The date of death must be on or after the date of birth, {long_date(date_of_birth)}"
        ]
    elif (years := age_in_years(date_of_birth, died_on)) >= ADULT_AGE:
        errors["date_of_birth"] = [adult_message(born=date_of_birth, died=died_on, years=years)]


def referral_record_inbound(
    *,
    by: User,
    first_name: str,
    last_name: str,
    nhs_number: str,
    date_of_birth: datetime.date | None,
    sex: str,
    ethnicity: str,
    born_alive: bool | None,
    died_on: datetime.date | None,
    place_area: Area | None,
    place_setting: str,
    place_detail: str = "",
    expectation: str,
    circumstances: str,
    contact_name: str,
    contact_email: str,
    contact_phone: str,
    received_on: datetime.date | None,
) -> Referral:
    """Record the death of a child who normally lived here and died in another area, as that
    area's panel notified it: the case (ours to review by default) and an inbound referral,
    awaiting our acknowledgement."""
    _authorise(by)
    today = timezone.localdate()
    home = _home()
    errors: dict[str, list[str]] = {}
    first_name = check_text(errors, "first_name", first_name, what="the first name", limit=100)
    last_name = check_text(errors, "last_name", last_name, what="the last name", limit=100)
    nhs = check_text(errors, "nhs_number", nhs_number, what="the NHS number", required=False)
    if nhs and "nhs_number" not in errors:
        try:
            validate_nhs_number(nhs)
        except ValidationError as invalid:
            errors["nhs_number"] = invalid.messages
        nhs = normalise_nhs_number(nhs)
    _choice(errors, "sex", sex, Sex, what="the child's sex")
    _choice(errors, "ethnicity", ethnicity, Ethnicity, what="the child's ethnic group")
    _check_child(
        errors, born_alive=born_alive, date_of_birth=date_of_birth, died_on=died_on, today=today
    )
    if place_area is None:
        errors["place_area"] = ["Choose the area where the child died"]
    elif place_area.pk == home.pk:
        errors["place_area"] = [
            f"The child died in {home.name}: notify it as a death here, not as a referral from "
            "another area's panel"
        ]
    _choice(errors, "place_setting", place_setting, PlaceSetting, what="where the child died")
    place_detail = check_text(
        errors,
        "place_detail",
        place_detail,
        what="the place of death in more detail",
        required=False,
        limit=SHORT_LIMIT,
    )
    _choice(errors, "expectation", expectation, Expectation, what="expected or unexpected")
    circumstances = check_text(
        errors, "circumstances", circumstances, what="the known circumstances", required=False
    )
    contact_name = check_text(
        errors, "contact_name", contact_name, what="the name of the panel's contact", limit=200
    )
    contact_email = check_text(
        errors,
        "contact_email",
        contact_email,
        what="the contact's email address",
        limit=EMAIL_LIMIT,
    )
    if contact_email and "contact_email" not in errors:
        try:
            validate_email(contact_email)
        except ValidationError:
            errors["contact_email"] = [
                "Enter an email address in the correct format, like name@example.com"
            ]
    contact_phone = check_text(
        errors,
        "contact_phone",
        contact_phone,
        what="the contact's telephone number",
        required=False,
        limit=PHONE_LIMIT,
    )
    check_date(
        errors,
        "received_on",
        received_on,
        what="the date the notification was received",
        today=today,
        not_before=died_on if "died_on" not in errors else None,
        not_before_what="the date of death",
    )
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        death = death_create(
            today=today,
            via=NotifiedVia.OTHER_PANEL,
            notifier=None,
            notifier_name=contact_name,
            notifier_role="Child death overview panel contact",
            notifier_organisation=place_area.cdop_name
            or f"{place_area.name} Child Death Overview Panel",
            notifier_email=contact_email,
            notifier_phone=contact_phone,
            first_name=first_name,
            last_name=last_name,
            nhs_number=nhs,
            date_of_birth=date_of_birth,
            sex=sex,
            ethnicity=ethnicity,
            died_on=died_on,
            place_area=place_area,
            place_setting=place_setting,
            place_detail=place_detail,
            residence_area=home,
            expectation=expectation,
            circumstances=circumstances,
            reviewing_area=home,
        )
        referral = Referral(
            death=death,
            direction=Direction.INBOUND,
            other_area=place_area,
            sent_on=received_on,
            next_step_due=_due_after(received_on),
            group=panel_group(),
        )
        _chase(referral, by=by)
        referral.save()
    return referral


# The steps of a referral ------------------------------------------------------------------


def _locked(referral: Referral) -> Referral:
    """The referral as it is now, with its case and area, its own row locked (only its own: on
    PostgreSQL a lock without `of` would lock the joined case and area too)."""
    return (
        Referral.objects.select_for_update(of=("self",))
        .select_related("death", "other_area")
        .get(pk=referral.pk)
    )


def _authorise_step(by: User, referral: Referral) -> None:
    if not by.has_perm("cdop.see_referrals", referral):
        raise PermissionDenied(
            "Only the Child Death Overview Panel and the secretariat record cross-area referrals."
        )


def send_problem(referral: Referral) -> str:
    """Why the referral cannot be emailed to the other area's panel now, in words ("" when it
    can): it came from that panel, it was emailed already, or the area has no panel email."""
    area = referral.other_area
    if referral.direction != Direction.OUTBOUND:
        return (
            f"Only a referral to another area's panel is emailed from here: this one came from "
            f"{area.name}'s panel"
        )
    if referral.emailed_at is not None:
        return (
            f"The referral was already emailed to {area.name}'s panel on "
            f"{long_date(timezone.localdate(referral.emailed_at))}"
        )
    if not area.cdop_email:
        return (
            f"{area.name}'s panel has no email address, so the referral cannot be emailed. The "
            "board's business unit can add it in the admin, under Areas; until then, tell "
            f"{panel_contact(area)} another way"
        )
    return ""


def referral_send(*, referral: Referral, by: User) -> Referral:
    """Email an outbound referral to the other area's panel, when the coordinator asks: for a
    death notified through the public form (its referral is never emailed on its own, because
    anyone can type anything there), or one whose area had no panel email address when the death
    was notified, once the business unit has added it. Refused with a message once emailed, or
    while the area has no address. The email goes from `send_death_referral` after the commit,
    which claims it, so that asking twice cannot send it twice."""
    from cdop.tasks.notify import send_death_referral

    _authorise_step(by, referral)
    with transaction.atomic():
        current = _locked(referral)
        if problem := send_problem(current):
            raise ValidationError(problem)
        queue_after_commit(send_death_referral, current.pk)
    return current


def referral_acknowledge(
    *, referral: Referral, acknowledged_on: datetime.date | None, by: User
) -> Referral:
    """Record the day the referral was acknowledged (by the other panel for one we sent, by us
    for one we received): once, not before it was sent."""
    _authorise_step(by, referral)
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    try:
        with transaction.atomic():
            current = _locked(referral)
            if current.acknowledged_on is not None:
                raise ValidationError(
                    "The acknowledgement was already recorded on "
                    f"{long_date(current.acknowledged_on)}"
                )
            check_date(
                errors,
                "acknowledged_on",
                acknowledged_on,
                what="the date it was acknowledged",
                today=today,
                not_before=current.sent_on,
                not_before_what="the date the referral was "
                + ("sent" if current.direction == Direction.OUTBOUND else "received"),
            )
            if errors:
                raise ValidationError(errors)
            current.acknowledge()
            current.acknowledged_on = acknowledged_on
            current.next_step_due = _due_after(acknowledged_on)
            fields = _chase(current, by=by)
            current.save(update_fields=["status", "acknowledged_on", *fields])
    except (ConcurrentTransition, TransitionNotAllowed):
        referral.refresh_from_db()
        raise ValidationError(CHANGED) from None
    return current


def default_reviewing_panel(referral: Referral) -> tuple[str, str]:
    """Which panel reviews by the rule, and why in words: where the child normally lived, or
    for a looked-after child the authority looking after them. ("", why) when the rule points
    to neither panel of this referral."""
    death = referral.death
    try:
        rule = jurisdiction(
            residence_area=death.residence_area,
            place_area=death.place_area,
            looked_after_by=death.looked_after_by,
        )
    except (ValidationError, HomeAreaMissing):
        return "", "The rule points to neither panel: agree it between you"
    area = rule.reviewing_area
    if death.looked_after_by_id is not None:
        why = f"The child was looked after by {area.name}: that authority's panel reviews"
    else:
        why = f"The child normally lived in {area.name}: that area's panel reviews"
    if rule.is_ours_to_review:
        return ReviewingPanel.OURS, why
    if area.pk == referral.other_area_id:
        return ReviewingPanel.THEIRS, why
    return "", f"{why}, which is neither panel of this referral: agree it between you"


def referral_agree(
    *,
    referral: Referral,
    agreed_on: datetime.date | None,
    reviewing_panel: str,
    how_told: str,
    by: User,
) -> Referral:
    """Record the panels' agreement: which reviews, and how the other will be told the outcome.
    When the other area's panel reviews, the case is handed over to it; when ours does, it is
    ours."""
    _authorise_step(by, referral)
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    if reviewing_panel not in ReviewingPanel.values:
        errors["reviewing_panel"] = ["Choose which panel reviews the death"]
    how_told = check_text(
        errors,
        "how_told",
        how_told,
        what="how the other panel will be told the outcome",
        limit=HOW_TOLD_LIMIT,
    )
    try:
        with transaction.atomic():
            current = _locked(referral)
            if current.agreed_on is not None:
                raise ValidationError(
                    "The agreement on which panel reviews was already recorded on "
                    f"{long_date(current.agreed_on)}"
                )
            if current.status == ReferralStatus.SENT:
                raise ValidationError(
                    "Record the acknowledgement first: the panels agree which reviews once the "
                    "referral has been acknowledged"
                )
            check_date(
                errors,
                "agreed_on",
                agreed_on,
                what="the date it was agreed",
                today=today,
                not_before=current.acknowledged_on,
                not_before_what="the date it was acknowledged",
            )
            death = ChildDeath.objects.select_for_update().get(pk=current.death_id)
            home = _home()
            if "reviewing_panel" not in errors:
                if reviewing_panel == ReviewingPanel.THEIRS and death.status == DeathStatus.CLOSED:
                    errors["reviewing_panel"] = [
                        f"{death.reference} is closed: our panel has already reviewed it"
                    ]
                elif (
                    reviewing_panel == ReviewingPanel.OURS and death.status == DeathStatus.ELSEWHERE
                ):
                    errors["reviewing_panel"] = [
                        f"{death.reference} was handed over to another area's panel "
                        f"({death.reviewing_area.name}): it cannot be taken back here"
                    ]
            if errors:
                raise ValidationError(errors)
            current.agree()
            current.agreed_on = agreed_on
            current.reviewing_panel = reviewing_panel
            current.how_told = how_told
            # The outcome comes when the reviewing panel's review ends: months, not days.
            current.next_step_due = add_months(agreed_on, settings.CDOP_REFERRAL_OUTCOME_MONTHS)
            fields = _chase(current, by=by)
            current.save(
                update_fields=["status", "agreed_on", "reviewing_panel", "how_told", *fields]
            )
            death_fields = ["reviewing_area"]
            if reviewing_panel == ReviewingPanel.THEIRS:
                death.reviewing_area = current.other_area
                if death.status != DeathStatus.ELSEWHERE:
                    death.hand_over()
                    death_fields.append("status")
            else:
                death.reviewing_area = home
            death.save(update_fields=death_fields)
    except (ConcurrentTransition, TransitionNotAllowed):
        referral.refresh_from_db()
        raise ValidationError(CHANGED) from None
    current.death = death
    return current


def referral_report_outcome(
    *, referral: Referral, reported_on: datetime.date | None, note: str, by: User
) -> Referral:
    """Record the day the reviewing panel told the other the outcome, and what it was: the last
    step, after which nobody is chased."""
    _authorise_step(by, referral)
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    note = check_text(errors, "note", note, what="the outcome", limit=NOTE_LIMIT)
    try:
        with transaction.atomic():
            current = _locked(referral)
            if current.outcome_reported_on is not None:
                raise ValidationError(
                    "The outcome was already recorded as reported on "
                    f"{long_date(current.outcome_reported_on)}"
                )
            if current.status != ReferralStatus.AGREED:
                raise ValidationError(
                    "Record the panels' agreement on which reviews first: the outcome is "
                    "reported once that is agreed"
                )
            check_date(
                errors,
                "reported_on",
                reported_on,
                what="the date the outcome was reported",
                today=today,
                not_before=current.agreed_on,
                not_before_what="the date the panels agreed",
            )
            if errors:
                raise ValidationError(errors)
            current.report_outcome()
            current.outcome_reported_on = reported_on
            current.outcome_note = note
            current.next_step_due = None
            reminders.stop(current)
            current.save(
                update_fields=[
                    "status",
                    "outcome_reported_on",
                    "outcome_note",
                    "next_step_due",
                    "reminder_next_on",
                ]
            )
    except (ConcurrentTransition, TransitionNotAllowed):
        referral.refresh_from_db()
        raise ValidationError(CHANGED) from None
    return current
