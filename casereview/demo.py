"""Demonstration serious-incident notifications at each stage of the Case Review subgroup's
work, written through the app's services as agency staff, the subgroup, the secretariat and the
board chair would write them:

- an older case the board chair decided should have no review (its deadlines met);
- a case decided for a local child safeguarding practice review, in progress: its independent
  lead reviewer, terms of reference, milestones, agency reports (one received), an action plan
  (one action red) and two lessons learnt, one approved by the secretariat, one waiting;
- a child's death considered by the subgroup, awaiting the board chair's decision;
- a case with the national panel notified and its rapid review running, and a second
  notification of the same child from a hospital trust just submitted, flagged to the
  secretariat as a possible duplicate (same NHS number);
- a draft the agency staff account has started and not finished.

Registered with `hscb.demo.register_demo`; only `manage.py load_demo` runs it. Made only while
there are no notifications, so running it again adds nothing twice. Every child, like every
person, is invented; the NHS numbers are valid but in the 999 range the NHS keeps for testing.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from hscb.demo import DemoContext
from hscb.lib.nhs import nhs_check_digit
from hscb.lib.workingdays import add_working_days, is_working_day
from hscb.models import (
    Agency,
    Area,
    GroupFunction,
    Meeting,
    MeetingStatus,
    Rag,
    User,
)

from .models import (
    AbuseOrNeglect,
    Answer,
    ClockKind,
    Ethnicity,
    Harm,
    LegalStatus,
    Notification,
    PracticeArea,
    Review,
    ReviewType,
    Sex,
)
from .services import cases, lessons, reviews
from .services import notifications as notify
from .services.clocks import ClockRuleMissing, rapid_review_type


def nhs_number(first_nine: str) -> str:
    """A valid NHS number from nine digits (the demonstration's start 999: test numbers)."""
    check = nhs_check_digit(first_nine)
    if check is None:
        raise ValueError(f"No NHS number begins {first_nine}.")
    return f"{first_nine}{check}"


# The child notified twice, by children's services and by the hospital.
TWICE_NOTIFIED = nhs_number("999000001")


def working_days_before(day: datetime.date, days: int) -> datetime.date:
    """The `days`-th working day before `day`."""
    counted = 0
    while counted < days:
        day -= datetime.timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def _years_ago(today: datetime.date, years: int, days: int = 0) -> datetime.date:
    try:
        born = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        born = today.replace(year=today.year - years, day=28)
    return born - datetime.timedelta(days=days)


def _case_review_meeting(context: DemoContext, today: datetime.date) -> Meeting:
    """The Case Review subgroup's last meeting held at least three weeks ago (the core's
    demonstration holds one about a month ago), where the two oldest cases were considered;
    one is made if there is none."""
    group = context.groups[GroupFunction.CASE_REVIEW]
    latest = timezone.make_aware(
        datetime.datetime.combine(today - datetime.timedelta(days=21), datetime.time.min)
    )
    meeting = (
        Meeting.objects.filter(group=group, starts_at__lt=latest)
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("-starts_at", "-pk")
        .first()
    )
    if meeting is not None:
        return meeting
    starts = timezone.make_aware(
        datetime.datetime.combine(working_days_before(today, 22), datetime.time(10))
    )
    return Meeting.objects.create(
        group=group,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        venue="Meeting Room 1, Apsley Two, Brindley Way, Hemel Hempstead HP3 9BF",
        status=MeetingStatus.HELD,
        created_by=context.secretariat,
    )


class Loader:
    """Writes the demonstration cases through the services, as each person would."""

    def __init__(self, context: DemoContext) -> None:
        self.context = context
        self.today = min(context.today, timezone.localdate())
        people = context.people
        self.agency_staff = people["Tom Reilly"]
        self.chair = people["Jonathan Pryce"]
        self.member = people["Gareth Lloyd"]
        self.board_chair = people["Margaret Ellison"]
        self.secretariat = context.secretariat
        self.agencies = context.agencies
        self.home = Area.objects.filter(is_home=True).order_by("pk").first()
        self.types = {t.code: t for t in ReviewType.objects.filter(is_active=True)}

    def days_ago(self, days: int) -> datetime.date:
        return self.today - datetime.timedelta(days=days)

    def not_after_today(self, day: datetime.date) -> datetime.date:
        return min(day, self.today)

    def agency_list(self, *names: str) -> list[Agency]:
        return [self.agencies[name] for name in names]

    # Notifying -------------------------------------------------------------------------------

    def notify(
        self,
        *,
        by: User,
        child: dict[str, Any],
        circumstances: dict[str, Any],
        incident: dict[str, Any],
        agencies: list[Agency],
        safety_action: str,
        phone: str,
        submit: bool = True,
    ) -> Notification:
        """A notification written step by step and, unless `submit` is false, submitted."""
        draft = notify.notification_start(by=by)
        child = {"other_names": "", "date_of_birth": None, "age_years": None, **child}
        steps = {
            "child": {"nhs_number": "", **child},
            "circumstances": {"home_area": self.home, **circumstances},
            "incident": {"in_custody": False, **incident},
            "agencies": {
                "agencies_involved": agencies,
                "safety_action": safety_action,
                "notifier_phone": phone,
            },
        }
        for step, data in steps.items():
            notify.notification_save_step(notification=draft, step=step, data=data, by=by)
        if not submit:
            return draft
        return notify.notification_submit(notification=draft, by=by)

    def panel_notified(self, notification: Notification, on: datetime.date) -> None:
        cases.case_record_panel_notified(
            notification=notification, notified_on=self.not_after_today(on), by=self.secretariat
        )

    def rapid_review_done(self, notification: Notification, on: datetime.date) -> None:
        cases.clock_record_met(
            notification=notification,
            kind=ClockKind.RAPID_REVIEW,
            met_on=self.not_after_today(on),
            by=self.secretariat,
        )

    def consider(
        self,
        notification: Notification,
        *,
        answers: dict[str, str],
        assessment: str,
        recommendation: str,
        rationale: str,
        meeting: Meeting | None,
    ) -> None:
        cases.case_consider(
            notification=notification,
            by=self.chair,
            **answers,
            assessment=assessment,
            recommendation=self.types[recommendation],
            rationale=rationale,
            meeting=meeting,
        )

    def decide(
        self, notification: Notification, *, review_type: str, reasons: str, on: datetime.date
    ) -> None:
        cases.case_decide(
            notification=notification,
            review_type=self.types[review_type],
            reasons=reasons,
            override_reason="",
            decided_on=self.not_after_today(on),
            by=self.board_chair,
        )

    # The cases ---------------------------------------------------------------------------------

    def load(self) -> int:
        meeting = _case_review_meeting(self.context, self.today)
        met_on = timezone.localdate(meeting.starts_at)
        self.no_review(met_on, meeting)
        self.practice_review(met_on, meeting)
        self.awaiting_decision()
        self.twice_notified()
        self.draft()
        return Notification.objects.count()

    def no_review(self, met_on: datetime.date, meeting: Meeting) -> None:
        incident = met_on - datetime.timedelta(days=45)
        aware = incident + datetime.timedelta(days=1)
        case = self.notify(
            by=self.context.people["Grace Mensah"],
            child={
                "first_name": "Jayden",
                "last_name": "Coleridge",
                "date_of_birth": _years_ago(incident, 14, days=80),
                "nhs_number": nhs_number("999000002"),
            },
            circumstances={
                "sex": Sex.MALE,
                "ethnicity": Ethnicity.MIXED_WHITE_BLACK_CARIBBEAN,
                "legal_status": LegalStatus.CHILD_IN_NEED,
            },
            incident={
                "incident_date": incident,
                "incident_description": "Stabbed in the leg in a park after school and taken to "
                "hospital. Police believe the attack is linked to county lines drug dealing; the "
                "young person had been reported missing twice in the month before.",
                "aware_date": aware,
                "harm": Harm.SERIOUS_HARM,
                "abuse_or_neglect": AbuseOrNeglect.SUSPECTED,
            },
            agencies=self.agency_list("Police", "Children's Services", "Youth Justice"),
            safety_action="A strategy meeting was held the next day. A safety plan is in place "
            "and the young person is staying with an aunt outside the county.",
            phone="01632 960 114",
        )
        panel = add_working_days(aware, 3)
        self.panel_notified(case, panel)
        self.rapid_review_done(case, add_working_days(panel, 13))
        self.consider(
            case,
            answers={
                "abuse_or_neglect": Answer.YES,
                "child_died": Answer.NO,
                "seriously_harmed": Answer.YES,
                "concern_working_together": Answer.NO,
                "died_in_custody": Answer.NO,
            },
            assessment="Exploitation is suspected and the harm was serious. The rapid review "
            "found the agencies shared information well and acted quickly on both missing "
            "episodes: there is no cause for concern about how they worked together.",
            recommendation="no_review",
            rationale="The criteria are not met. The learning about exploitation is already "
            "part of the Adolescents Group's work plan.",
            meeting=meeting,
        )
        decided = add_working_days(met_on, 1)
        self.decide(
            case,
            review_type="no_review",
            reasons="I agree with the subgroup: the agencies worked well together and the "
            "learning is being taken forward by the Strategic Safeguarding Adolescents Group.",
            on=decided,
        )
        if case.clocks.filter(kind=ClockKind.DECISION).exists():
            # Under the 2015 regime the national panel is told of the decision.
            cases.clock_record_met(
                notification=case,
                kind=ClockKind.DECISION,
                met_on=self.not_after_today(decided + datetime.timedelta(days=6)),
                by=self.secretariat,
            )

    def practice_review(self, met_on: datetime.date, meeting: Meeting) -> None:
        people = self.context.people
        incident = met_on - datetime.timedelta(days=30)
        case = self.notify(
            by=people["Yasmin Ali"],
            child={
                "first_name": "Amelia",
                "last_name": "Brennan",
                "date_of_birth": incident - datetime.timedelta(days=150),
                "nhs_number": nhs_number("999000003"),
            },
            circumstances={
                "sex": Sex.FEMALE,
                "ethnicity": Ethnicity.WHITE_BRITISH,
                "legal_status": LegalStatus.CHILD_PROTECTION_PLAN,
            },
            incident={
                "incident_date": incident,
                "incident_description": "A five-month-old baby was brought to the emergency "
                "department with a fractured arm and bruising to the face. The parents could "
                "not explain the injuries. The baby had been on a child protection plan for "
                "neglect since birth.",
                "aware_date": incident,
                "harm": Harm.SERIOUS_HARM,
                "abuse_or_neglect": AbuseOrNeglect.SUSPECTED,
            },
            agencies=self.agency_list("ENHT", "Children's Services", "HCT", "Police"),
            safety_action="The baby is in foster care under an interim care order. Her two "
            "older siblings are staying with their grandparents.",
            phone="01632 960 287",
        )
        panel = add_working_days(incident, 2)
        self.panel_notified(case, panel)
        self.rapid_review_done(case, add_working_days(panel, 14))
        self.consider(
            case,
            answers={
                "abuse_or_neglect": Answer.YES,
                "child_died": Answer.NO,
                "seriously_harmed": Answer.YES,
                "concern_working_together": Answer.YES,
                "died_in_custody": Answer.NO,
            },
            assessment="Physical abuse is suspected and the harm was serious. The rapid review "
            "found that the health visitor's concerns about bruising three weeks earlier did "
            "not reach the social worker: there is cause for concern about how agencies worked "
            "together.",
            recommendation="lcspr",
            rationale="The criteria are met, and the case shows learning for every agency about "
            "bruising in babies who are not yet mobile.",
            meeting=meeting,
        )
        decided = add_working_days(met_on, 2)
        self.decide(
            case,
            review_type="lcspr",
            reasons="The rapid review showed a missed chance to protect a baby on a child "
            "protection plan. A local child safeguarding practice review is needed.",
            on=decided,
        )
        review = Notification.objects.get(pk=case.pk).review
        self.review_in_progress(review, decided)

    def review_in_progress(self, review: Review, decided: datetime.date) -> None:
        people, member, today = self.context.people, self.member, self.today
        agreed = self.not_after_today(add_working_days(decided, 8))
        reviews.review_update(
            review=review,
            by=member,
            lead_reviewer="Dr Frances Adebayo",
            lead_reviewer_organisation="Adebayo Safeguarding Reviews Ltd",
            lead_reviewer_independent=True,
            terms_of_reference="To learn how agencies shared what they knew about the baby's "
            "injuries and the family's circumstances in the three months before she was "
            "harmed; how the child protection plan was reviewed; and whether practitioners "
            "followed the county's bruising protocol for babies who are not mobile.",
            terms_agreed_on=agreed,
        )
        reviews.milestone_create(
            review=review,
            by=member,
            title="Terms of reference agreed",
            due_on=decided + datetime.timedelta(days=14),
            completed_on=agreed,
        )
        for title, days in [
            ("Agency reports received", 14),
            ("Practitioner learning event", 40),
            ("Draft report to the Case Review subgroup", 100),
        ]:
            reviews.milestone_create(
                review=review, by=member, title=title, due_on=today + datetime.timedelta(days=days)
            )
        requested = self.not_after_today(add_working_days(decided, 5))
        reports = {}
        for name in ["Children's Services", "ENHT", "HCT", "Police"]:
            reports[name] = reviews.agency_report_create(
                review=review,
                by=member,
                agency=self.agencies[name],
                requested_on=requested,
                due_on=requested + datetime.timedelta(days=35),
            )
        reviews.agency_report_update(
            report=reports["ENHT"],
            by=member,
            received_on=max(requested, today - datetime.timedelta(days=3)),
            note="Chronology and analysis from the emergency department and paediatrics.",
        )

        sharing = reviews.recommendation_create(
            review=review,
            by=member,
            text="Health visitors and midwives tell the child's social worker about any bruise "
            "seen on a baby who is not yet mobile on the day they see it.",
        )
        reviews.plan_action_create(
            recommendation=sharing,
            by=member,
            description="Reissue the bruising protocol for non-mobile babies to every health "
            "visiting team, with a briefing at each team meeting.",
            lead_agency=self.agencies["HCT"],
            owner=people["Louise Fenton"],
            due_date=today + datetime.timedelta(days=30),
            rag=Rag.AMBER,
        )
        reviews.plan_action_create(
            recommendation=sharing,
            by=member,
            description="Audit ten cases of bruising in non-mobile babies to check that the "
            "social worker was told the same day.",
            lead_agency=self.agencies["Children's Services"],
            owner=people["Sarah Whitfield"],
            due_date=today + datetime.timedelta(days=12),
            rag=Rag.RED,
        )
        plans = reviews.recommendation_create(
            review=review,
            by=member,
            text="Child protection core groups invite the police and the GP to every review of "
            "a baby's plan.",
        )
        reviews.plan_action_create(
            recommendation=plans,
            by=member,
            description="Add the police and the GP to the core group invitation template and "
            "check attendance at the next 20 core groups for babies.",
            lead_agency=self.agencies["Police"],
            owner=people["Helen Marsh"],
            due_date=today + datetime.timedelta(days=60),
            rag=Rag.GREEN,
        )
        bruising = lessons.lesson_create(
            review=review,
            by=member,
            theme="Bruising in babies who are not yet mobile",
            lesson="A bruise on a baby who cannot yet roll over or crawl is a sign of possible "
            "abuse until shown otherwise. Tell children's social care the same day, even when "
            "the parents' explanation sounds likely.",
            practice_area=PracticeArea.ASSESSMENT,
            agencies=self.agency_list("HCT", "ENHT", "Children's Services"),
        )
        lessons.lesson_create(
            review=review,
            by=member,
            theme="Information held by one agency alone",
            lesson="Concerns written in one agency's records do not protect a child until they "
            "reach the lead professional. Check who else needs to know before closing a visit.",
            practice_area=PracticeArea.INFORMATION_SHARING,
            agencies=self.agency_list("HCT", "Children's Services", "Police"),
        )
        # The secretariat has approved the first (it is on Lessons learnt); the second waits
        # for their approval in the admin.
        lessons.lesson_approve(lesson=bruising, by=self.secretariat)

    def awaiting_decision(self) -> None:
        incident = working_days_before(self.today, 16)
        aware = incident + datetime.timedelta(days=1)
        case = self.notify(
            by=self.agency_staff,
            child={
                "first_name": "Noah",
                "last_name": "Fairley",
                "date_of_birth": _years_ago(incident, 3, days=40),
                "nhs_number": nhs_number("999000004"),
            },
            circumstances={
                "sex": Sex.MALE,
                "ethnicity": Ethnicity.WHITE_OTHER,
                "legal_status": LegalStatus.CHILD_IN_NEED,
            },
            incident={
                "incident_date": incident,
                "incident_description": "A three-year-old boy died at home. He was found "
                "severely underweight, and the home was in very poor condition. The family had "
                "been open to early help and then as a child in need for a year.",
                "aware_date": aware,
                "harm": Harm.DEATH,
                "abuse_or_neglect": AbuseOrNeglect.SUSPECTED,
            },
            agencies=self.agency_list("Children's Services", "HCT", "ICB", "Stevenage BC"),
            safety_action="His baby sister was taken to hospital and is now with foster carers. "
            "A police investigation is under way.",
            phone="01632 960 352",
        )
        panel = add_working_days(aware, 1)
        self.panel_notified(case, panel)
        self.rapid_review_done(case, add_working_days(panel, 12))
        self.consider(
            case,
            answers={
                "abuse_or_neglect": Answer.YES,
                "child_died": Answer.YES,
                "seriously_harmed": Answer.NOT_KNOWN,
                "concern_working_together": Answer.YES,
                "died_in_custody": Answer.NO,
            },
            assessment="Neglect is suspected and the child died. The rapid review found that "
            "housing, health visiting and children's services each saw part of the picture.",
            recommendation="lcspr",
            rationale="The criteria are met. A local review would look at how neglect was "
            "recognised across the agencies working with the family.",
            meeting=None,
        )

    def twice_notified(self) -> None:
        people = self.context.people
        incident = working_days_before(self.today, 6)
        child = {
            "first_name": "Lily",
            "last_name": "Thornbury",
            "date_of_birth": _years_ago(incident, 9, days=120),
            "nhs_number": TWICE_NOTIFIED,
        }
        circumstances = {
            "sex": Sex.FEMALE,
            "ethnicity": Ethnicity.WHITE_BRITISH,
            "legal_status": LegalStatus.LOOKED_AFTER,
        }
        description = (
            "A nine-year-old girl in foster care was admitted to hospital after taking a "
            "large amount of her foster carer's medication. She told a nurse she had been "
            "hurt by an adult at her contact visits."
        )
        aware = incident + datetime.timedelta(days=1)
        first = self.notify(
            by=self.agency_staff,
            child=child,
            circumstances=circumstances,
            incident={
                "incident_date": incident,
                "incident_description": description,
                "aware_date": aware,
                "harm": Harm.SERIOUS_HARM,
                "abuse_or_neglect": AbuseOrNeglect.SUSPECTED,
            },
            agencies=self.agency_list("Children's Services", "ENHT", "Police"),
            safety_action="Contact visits are suspended. The foster carers have locked away "
            "all medication and a police investigation has begun.",
            phone="01632 960 479",
        )
        self.panel_notified(first, add_working_days(aware, 2))
        # The hospital notifies the same incident: flagged to the secretariat.
        self.notify(
            by=people["Rebecca Hart"],
            child={**child, "other_names": "Lily-May"},
            circumstances=circumstances,
            incident={
                "incident_date": incident,
                "incident_description": description,
                "aware_date": self.not_after_today(add_working_days(incident, 2)),
                "harm": Harm.SERIOUS_HARM,
                "abuse_or_neglect": AbuseOrNeglect.SUSPECTED,
            },
            agencies=self.agency_list("ENHT", "Children's Services"),
            safety_action="She stayed on the children's ward until the foster carers' home was "
            "made safe. A safeguarding referral was made the same day.",
            phone="01632 960 533",
        )

    def draft(self) -> None:
        """Started by the agency staff account and saved after the first two steps."""
        draft = notify.notification_start(by=self.agency_staff)
        notify.notification_save_step(
            notification=draft,
            step="child",
            data={
                "first_name": "Oscar",
                "last_name": "Penrose",
                "other_names": "",
                "date_of_birth": None,
                "age_years": 4,
                "nhs_number": "",
            },
            by=self.agency_staff,
        )
        notify.notification_save_step(
            notification=draft,
            step="circumstances",
            data={
                "sex": Sex.MALE,
                "ethnicity": Ethnicity.ASIAN_PAKISTANI,
                "home_area": self.home,
                "legal_status": LegalStatus.NONE,
            },
            by=self.agency_staff,
        )


def load_cases(context: DemoContext) -> str:
    if Notification.objects.exists():
        return ""
    try:
        rapid_review_type()
    except ClockRuleMissing:
        return ""  # the review types are not there (the secretariat removed them)
    count = Loader(context).load()
    return f"{count} serious incident notifications (one a draft, one under review)"


def register() -> None:
    from hscb.demo import register_demo

    register_demo("casereview.cases", load_cases)
