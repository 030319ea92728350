"""Every write of the panel's review of a death (DESIGN.md §5): its conclusions (the category of
death, whether there were modifiable factors, the summary, whether abuse or neglect may have
been a factor), the factors in each domain, the recommendations and the actions they become,
the date the case closed, and its referral to the Case Review subgroup.

The rules hold whatever page calls these functions:
- a review is recorded only for a death this panel reviews (not one handed to another area's
  panel), and it no longer changes once the case is closed (a recommendation may still become
  an action);
- only the panel team (`cdop.work_on_death`) writes any of it;
- a case is closed only when it is ours to review (the panel reviewing it is the home area's:
  while another area's panel is proposed, the two panels must agree first), it is listed for the
  panel (which follows the child death review meeting), an unexpected death's joint agency
  response is recorded, its review has a category and a judgement on modifiable factors, and on
  a date from the day of the death to today;
- a recommendation becomes an action of the panel's once;
- a case is referred to the Case Review subgroup once, and only when the panel concluded that
  abuse or neglect may have been a factor. The referral is a serious incident notification made
  through the Case Review services, as the referring person would make it: they must work for a
  partner agency, and every rule of a notification holds.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from hscb.lib import checks
from hscb.lib.checks import long_date
from hscb.lib.retention import delete_with_history
from hscb.models import Action, Meeting, User
from hscb.services.actions import action_create

from ..models import (
    ChildDeath,
    DeathCategory,
    DeathStatus,
    Domain,
    Factor,
    Influence,
    Modifiable,
    PanelRecommendation,
    PanelReview,
)
from .people import panel_group

SUMMARY_MAX = 10000
FACTOR_MAX = 500
RECOMMENDATION_MAX = 5000
ACTION_TITLE_MAX = 300
ACTION_DESCRIPTION_MAX = 4000
SAFETY_ACTION = "Referred by the Child Death Overview Panel after its review"

NO_CATEGORY = "Choose the category of death on the review before closing the case"
NO_JAR = (
    "Record the joint agency response on the case before closing it: the death was unexpected, "
    "so there must have been one"
)
NOT_OURS = (
    "{area}'s panel is proposed to review this death, so it cannot be closed here. The two "
    "panels must agree first which of them reviews it: record their agreement on the "
    "cross-area referral. If they agree that our panel reviews it, close it here afterwards; if "
    "{area}'s panel reviews it, that panel closes it"
)
NO_MODIFIABLE = (
    "Record whether there were modifiable factors (yes, no or insufficient information) on "
    "the review before closing the case"
)
NOT_ABUSE_OR_NEGLECT = (
    "Only a case whose review concluded that abuse or neglect may have been a factor can be "
    "referred to the Case Review subgroup. Record that on the review first, if the panel "
    "concluded it"
)
NO_AGENCY = (
    "You must work for a partner agency to refer a case to the Case Review subgroup: the "
    "referral is a serious incident notification made in your name, for your agency. Ask the "
    "board's business unit to record your agency on your account"
)
NO_AGENCIES_GAVE_INFORMATION = (
    "The Case Review subgroup needs the agencies involved with the child, and no agency has "
    "given information for this case yet. Record the agencies' reports as received on the case "
    "before referring it"
)


def _text_problems(value: str, *, what: str, limit: int) -> list[str]:
    problems = []
    if len(value) > limit:
        problems.append(f"{what} must be {limit:,} characters or fewer")
    if "\x00" in value:
        problems.append(f"{what} must not contain null characters")
    return problems


def _authorise(by: User, death: ChildDeath) -> None:
    if not by.has_perm("cdop.work_on_death", death):
        raise PermissionDenied(
            "Only the Child Death Overview Panel and the secretariat work on child deaths."
        )


def _check_reviewable(death: ChildDeath) -> None:
    """The panel's review of `death` may still change."""
    if death.status == DeathStatus.ELSEWHERE:
        raise ValidationError(
            "This death is reviewed by another area's panel, so this panel does not record a "
            "review of it"
        )
    if death.status == DeathStatus.CLOSED:
        raise ValidationError(
            "This case was closed, so its review can no longer be changed", code="closed"
        )


def review_of(death: ChildDeath) -> PanelReview | None:
    try:
        return death.review
    except PanelReview.DoesNotExist:
        return None


def _review_for_writing(death: ChildDeath, by: User) -> PanelReview:
    """The death's review, started (by `by`) if the panel has not recorded one yet."""
    review = PanelReview.objects.select_for_update().filter(death=death).first()
    if review is None:
        review = PanelReview.objects.create(death=death, updated_by=by)
    return review


# The panel's conclusions ----------------------------------------------------------------------


def panel_review_save(
    *,
    death: ChildDeath,
    by: User,
    category: DeathCategory | None,
    modifiable: str,
    summary: str,
    abuse_or_neglect_factor: bool,
) -> PanelReview:
    """Record the panel's conclusions on `death`, starting its review if need be. Any of them may
    be left for later (closing the case needs the category and the modifiable judgement)."""
    _authorise(by, death)
    summary = (summary or "").strip()
    modifiable = modifiable or ""
    errors: dict[str, list[str]] = {}
    if modifiable not in Modifiable.values and modifiable != "":
        errors["modifiable"] = ["Choose yes, no or insufficient information"]
    if problems := _text_problems(summary, what="The panel's summary", limit=SUMMARY_MAX):
        errors["summary"] = problems
    if not isinstance(abuse_or_neglect_factor, bool):
        errors["abuse_or_neglect_factor"] = [
            "Select yes if abuse or neglect may have been a factor"
        ]
    with transaction.atomic():
        locked = checks.locked(death)
        _check_reviewable(locked)
        review = _review_for_writing(locked, by)
        if category is not None:
            # A category no longer in use stays on the reviews that have it, but is not chosen.
            current = DeathCategory.objects.filter(pk=category.pk).first()
            if current is None or (not current.is_active and review.category_id != current.pk):
                errors["category"] = ["Choose a category of death from the list"]
        if errors:
            raise ValidationError(errors)
        review.category = category
        review.modifiable = modifiable
        review.summary = summary
        review.abuse_or_neglect_factor = abuse_or_neglect_factor
        review.updated_by = by
        review.save()
    return review


# Factors --------------------------------------------------------------------------------------


def factor_create(
    *, death: ChildDeath, by: User, domain: str, description: str, influence: str
) -> Factor:
    """Record a factor the panel found in one of the four domains, with its influence."""
    _authorise(by, death)
    description = (description or "").strip()
    errors: dict[str, list[str]] = {}
    if domain not in Domain.values:
        errors["domain"] = ["Choose the domain the factor is in"]
    if not description:
        errors["description"] = ["Describe the factor"]
    elif problems := _text_problems(description, what="The factor", limit=FACTOR_MAX):
        errors["description"] = problems
    if influence not in Influence.values:
        errors["influence"] = ["Choose the factor's influence: 0, 1 or 2"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = checks.locked(death)
        _check_reviewable(locked)
        review = _review_for_writing(locked, by)
        factor = Factor.objects.create(
            review=review, domain=domain, description=description, influence=influence
        )
        review.updated_by = by
        review.save(update_fields=["updated_by", "updated_at"])
    return factor


def factor_remove(*, factor: Factor, by: User) -> None:
    """Take a factor off the review of a case that is still open."""
    _authorise(by, factor.review.death)
    with transaction.atomic():
        locked = checks.locked(factor.review.death)
        _check_reviewable(locked)
        review = factor.review
        # Its description may name the child: it leaves the factor's history too.
        delete_with_history(factor)
        review.updated_by = by
        review.save(update_fields=["updated_by", "updated_at"])


# Recommendations ------------------------------------------------------------------------------


def recommendation_create(*, death: ChildDeath, by: User, text: str) -> PanelRecommendation:
    """Record one of the panel's recommendations from its review of `death`."""
    _authorise(by, death)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": ["Enter the recommendation"]})
    if problems := _text_problems(text, what="The recommendation", limit=RECOMMENDATION_MAX):
        raise ValidationError({"text": problems})
    with transaction.atomic():
        locked = checks.locked(death)
        _check_reviewable(locked)
        review = _review_for_writing(locked, by)
        return PanelRecommendation.objects.create(review=review, text=text, added_by=by)


def recommendation_make_action(
    *,
    recommendation: PanelRecommendation,
    by: User,
    title: str,
    description: str,
    owner: User,
    due_date: datetime.date,
    meeting: Meeting | None = None,
) -> Action:
    """Turn a recommendation into an action of the Child Death Overview Panel (through the
    board's action service: its owner is told and chased), once."""
    _authorise(by, recommendation.review.death)
    group = panel_group()
    if group is None:
        raise ValidationError(
            "There is no Child Death Overview Panel group on the board to give the action to. "
            "The secretariat can add it in the admin"
        )
    title = (title or "").strip()
    description = (description or "").strip()
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = ["Enter the action"]
    elif problems := _text_problems(title, what="The action", limit=ACTION_TITLE_MAX):
        errors["title"] = problems
    if problems := _text_problems(description, what="The details", limit=ACTION_DESCRIPTION_MAX):
        errors["description"] = problems
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = (
            PanelRecommendation.objects.select_for_update(of=("self",))
            .select_related("review__death")
            .get(pk=recommendation.pk)
        )
        if locked.action_id is not None:
            raise ValidationError(
                "This recommendation has already been made an action: follow that action",
                code="already_an_action",
            )
        action = action_create(
            group=group,
            meeting=meeting,
            agenda_item=None,
            title=title,
            description=description,
            owner=owner,
            due_date=due_date,
            by=by,
        )
        locked.action = action
        locked.save(update_fields=["action"])
    recommendation.action = action
    return action


# Closing the case -----------------------------------------------------------------------------


def close_problems(death: ChildDeath, review: PanelReview | None) -> list[str]:
    """What stops the case being closed now (besides the date), in words."""
    if death.status == DeathStatus.CLOSED:
        return ["This case is already closed"]
    if death.status == DeathStatus.ELSEWHERE:
        return ["This death is reviewed by another area's panel, so this panel does not close it"]
    problems = []
    if not death.reviewing_area.is_home:
        problems.append(NOT_OURS.format(area=death.reviewing_area.name))
    if death.status != DeathStatus.PANEL:
        problems.append(
            "The case must be listed for a panel meeting, after its child death review meeting, "
            f"before it is closed: it is “{death.get_status_display().lower()}”"
        )
    if death.is_unexpected and death.jar_started_on is None:
        problems.append(NO_JAR)
    if review is None or review.category_id is None:
        problems.append(NO_CATEGORY)
    if review is None or not review.modifiable:
        problems.append(NO_MODIFIABLE)
    return problems


def death_close(*, death: ChildDeath, by: User, closed_on: datetime.date) -> ChildDeath:
    """Close the case on `closed_on`: the panel's review is complete. The rules are checked on
    the case as it is now, its row locked, and only its status is written (never what the
    page read of it). Returns the case as closed; `death` gets the new status too."""
    _authorise(by, death)
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if not isinstance(closed_on, datetime.date) or isinstance(closed_on, datetime.datetime):
        errors["closed_on"] = ["Enter the date the case was closed"]
    with transaction.atomic():
        locked = checks.locked(death)
        review = PanelReview.objects.select_for_update().filter(death=locked).first()
        if problems := close_problems(locked, review):
            errors[NON_FIELD_ERRORS] = problems
        if "closed_on" not in errors:
            if closed_on > today:
                errors["closed_on"] = ["The date the case was closed must be today or in the past"]
            elif closed_on < locked.died_on:
                errors["closed_on"] = [
                    "The date the case was closed must be on or after the date of death "
                    f"({long_date(locked.died_on)})"
                ]
        if errors:
            raise ValidationError(errors)
        locked.close()
        locked.save(update_fields=["status"])
        review.closed_on = closed_on
        review.updated_by = by
        review.save(update_fields=["closed_on", "updated_by", "updated_at"])
    death.status = locked.status
    return locked


# Referral to the Case Review subgroup ---------------------------------------------------------


def refer_problems(death: ChildDeath, review: PanelReview | None, by: User) -> list[str]:
    """What stops `by` referring the case to the Case Review subgroup now, in words."""
    if death.referred_to_case_review_id is not None:
        return [
            "This case has already been referred to the Case Review subgroup "
            f"({death.referred_to_case_review.reference})"
        ]
    problems = []
    if review is None or not review.abuse_or_neglect_factor:
        problems.append(NOT_ABUSE_OR_NEGLECT)
    if not by.has_perm("casereview.add_notification"):
        problems.append(NO_AGENCY)
    return problems


def _what_happened(death: ChildDeath, review: PanelReview) -> str:
    from casereview.services.notifications import TEXT_LIMITS

    limit = TEXT_LIMITS["incident_description"][0]
    place = death.get_place_setting_display().lower()
    if death.place_detail:
        place = f"{place} ({death.place_detail})"
    parts = [
        f"Child death {death.reference}, referred by the Child Death Overview Panel after its "
        "review, which concluded that abuse or neglect may have been a factor.",
        f"Died on {long_date(death.died_on)}, {place}, in {death.place_area.name}. The death was "
        f"{death.get_expectation_display().lower()}.",
        "Known circumstances:\n" + (death.circumstances.strip() or "None recorded."),
        "The panel's summary:\n" + (review.summary.strip() or "None recorded."),
    ]
    text = "\n\n".join(parts)
    if len(text) > limit:
        note = f"\n\n[Shortened: the full record is the panel's case {death.reference}.]"
        text = text[: limit - len(note)].rstrip() + note
    return text


def agencies_that_gave_information(death: ChildDeath) -> list:
    from hscb.models import Agency

    return list(
        Agency.objects.filter(
            is_active=True,
            pk__in=death.agency_reports.filter(received_on__isnull=False).values("agency_id"),
        ).order_by("name")
    )


def referral_answers(
    death: ChildDeath, review: PanelReview, *, notifier_phone: str
) -> dict[str, dict[str, object]]:
    """The answers of each step of the Case Review notification, taken from the death."""
    from casereview.models import AbuseOrNeglect, Harm, LegalStatus

    return {
        "child": {
            "first_name": death.first_name,
            "last_name": death.last_name,
            "other_names": "",
            "date_of_birth": death.date_of_birth,
            "age_years": None,
            "nhs_number": death.nhs_number,
        },
        "circumstances": {
            "sex": death.sex,
            "ethnicity": death.ethnicity,
            "home_area": death.residence_area,
            # Of the notification's legal statuses only "looked after" can be known from a
            # death's record; any other plan the child had is for the subgroup to find out.
            "legal_status": LegalStatus.LOOKED_AFTER
            if death.looked_after_by_id
            else LegalStatus.NONE,
        },
        "incident": {
            "incident_date": death.died_on,
            "incident_description": _what_happened(death, review),
            "aware_date": timezone.localdate(),
            "harm": Harm.DEATH,
            "abuse_or_neglect": AbuseOrNeglect.SUSPECTED,
            "in_custody": False,
        },
        "agencies": {
            "agencies_involved": agencies_that_gave_information(death),
            "safety_action": f"{SAFETY_ACTION} (panel case {death.reference}).",
            "notifier_phone": notifier_phone,
        },
    }


# How the Case Review rules' fields are spoken of when the death's record breaks one.
ANSWER_NAMES = {
    "first_name": "the child's first name",
    "last_name": "the child's last name",
    "date_of_birth": "the child's date of birth",
    "nhs_number": "the child's NHS number",
    "sex": "the child's sex",
    "ethnicity": "the child's ethnicity",
    "home_area": "the area where the child lived",
    "legal_status": "the child's legal status",
    "incident_date": "the date of death",
    "incident_description": "what happened",
    "aware_date": "the date of the referral",
    "agencies_involved": "the agencies involved",
    "safety_action": "the action taken",
}


def _explained(error: ValidationError) -> ValidationError:
    """A Case Review rule broken by the referral, said in terms of this case: the telephone
    number is the person's own answer; anything else comes from the death's record."""
    if not hasattr(error, "error_dict"):
        return ValidationError(
            [f"The Case Review subgroup's notification could not be made: {m}" for m in error]
        )
    errors: dict[str, list[str]] = {}
    for field, messages in error.message_dict.items():
        if field == "notifier_phone":
            errors["notifier_phone"] = messages
            continue
        name = ANSWER_NAMES.get(field, field.replace("_", " "))
        errors.setdefault(NON_FIELD_ERRORS, []).extend(
            f"The Case Review subgroup's notification could not be made from this case's "
            f"record ({name}): {message}"
            for message in messages
        )
    return ValidationError(errors)


def death_refer_to_case_review(*, death: ChildDeath, by: User, notifier_phone: str):
    """Refer the case to the Case Review subgroup: make, answer and submit a serious incident
    notification in `by`'s name from the death's record and the panel's review, and link it to
    the death. All or nothing: if any rule of the notification is broken, no draft is left."""
    from casereview.services import notifications as notify
    from casereview.services.clocks import ClockRuleMissing

    _authorise(by, death)
    notifier_phone = (notifier_phone or "").strip()
    with transaction.atomic():
        locked = checks.locked(death)
        review = PanelReview.objects.filter(death=locked).first()
        if problems := refer_problems(locked, review, by):
            raise ValidationError(problems)
        answers = referral_answers(locked, review, notifier_phone=notifier_phone)
        if not answers["agencies"]["agencies_involved"]:
            raise ValidationError(NO_AGENCIES_GAVE_INFORMATION)
        try:
            draft = notify.notification_start(by=by, referred_by_panel=True)
            for step, data in answers.items():
                notify.notification_save_step(notification=draft, step=step, data=data, by=by)
            notification = notify.notification_submit(notification=draft, by=by)
        except PermissionDenied:
            raise ValidationError(NO_AGENCY) from None
        except ValidationError as error:
            raise _explained(error) from None
        except ClockRuleMissing as missing:
            raise ValidationError(
                f"The Case Review subgroup's notification could not be made: {missing}"
            ) from None
        locked.referred_to_case_review = notification
        locked.save(update_fields=["referred_to_case_review"])
    death.referred_to_case_review = notification
    return notification
