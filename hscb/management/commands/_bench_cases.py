"""The benchmark's serious-incident notifications, reviews and their action plans, at every stage
(used by `manage.py bench`)."""

from __future__ import annotations

import datetime

from django.core.files.base import ContentFile
from django.utils import timezone

from hscb.lib.reminders import Ladder
from hscb.models import Agency, Area, Group, GroupFunction, Rag, User

BENCH_USERS = {
    "board_chair": "board.chair@bench.example",
    "case_review": "case.review@bench.example",
    "case_review_chair": "case.review.chair@bench.example",
    "agency": "agency.staff@bench.example",
}


# Each tenth of the notifications is at one of these stages, in turn.
CASE_STAGES = [
    "draft",
    "submitted",
    "submitted",
    "notified",
    "notified",
    "considered",
    "review",
    "review",
    "review",
    "no_review",
]


def fill_cases(people: list[User]) -> None:
    """Serious-incident notifications, one for every ten people (ten at least), at each stage
    in turn: a draft of the benchmark's agency staff; submitted; the national panel notified;
    considered; decided, with a review or none. Each undecided one is flagged as a possible
    duplicate of the four before it. Each submitted one names two agencies and has its clocks;
    one in three has a document, as has each reviewed one. Each review has two milestones, two
    agency reports (one received), two recommendations with two actions each (one in three the
    agency staff's) and a lesson.
    """
    from casereview import models as cr
    from hscb.lib.nhs import nhs_check_digit
    from hscb.lib.workingdays import add_months, add_working_days
    from tests.casereview.factories import ensure_review_types
    from tests.hscb.factories import PDF_BYTES

    if not people:
        return
    types = ensure_review_types()
    group = Group.objects.get(function=GroupFunction.CASE_REVIEW)
    staff = User.objects.get(email=BENCH_USERS["agency"])
    member = User.objects.get(email=BENCH_USERS["case_review"])
    board_chair = User.objects.get(email=BENCH_USERS["board_chair"])
    area = Area.objects.filter(is_home=True).first()
    agencies = list(Agency.objects.filter(name__startswith="Bench agency").order_by("name"))
    today, now, ladder = timezone.localdate(), timezone.now(), Ladder.from_settings()
    start = cr.Notification.objects.count()
    # At least one at every stage from the first fill, so that no list is empty at any scale.
    count = max(len(people) // 10, 0 if start else len(CASE_STAGES))
    stages = {i: CASE_STAGES[i % len(CASE_STAGES)] for i in range(start, start + count)}
    notifications = []
    for i, stage in stages.items():
        notifier = staff if stage == "draft" or i % 4 == 0 else people[(i * 3) % len(people)]
        incident = today - datetime.timedelta(days=10 + i % 200)
        check = nhs_check_digit(f"{999000000 + i:09d}")
        submitted = stage != "draft"
        notifications.append(
            cr.Notification(
                reference=f"SIN-B-{i:06d}" if submitted else None,
                status={
                    "draft": cr.NotificationStatus.DRAFT,
                    "considered": cr.NotificationStatus.CONSIDERED,
                    "review": cr.NotificationStatus.DECIDED,
                    "no_review": cr.NotificationStatus.DECIDED,
                }.get(stage, cr.NotificationStatus.SUBMITTED),
                agency=notifier.agency,
                notifier=notifier,
                notifier_phone="01632 960 001",
                submitted_at=now - datetime.timedelta(days=i % 200) if submitted else None,
                first_name="Bench",
                last_name=f"Child {i}",
                date_of_birth=incident - datetime.timedelta(days=365 * (1 + i % 15)),
                sex=cr.Sex.values[i % 2],
                ethnicity=cr.Ethnicity.values[i % len(cr.Ethnicity.values)],
                nhs_number=f"{999000000 + i:09d}{check}" if check is not None else "",
                home_area=area,
                legal_status=cr.LegalStatus.values[i % len(cr.LegalStatus.values)],
                incident_date=incident,
                incident_description="Admitted to hospital with injuries not explained.",
                aware_date=incident + datetime.timedelta(days=1),
                harm=cr.Harm.values[i % 2],
                abuse_or_neglect=cr.AbuseOrNeglect.SUSPECTED,
                safety_action="A strategy meeting was held the same day.",
                panel_notified_on=add_working_days(incident, 3)
                if stage not in ("draft", "submitted")
                else None,
            )
        )
    cr.Notification.objects.bulk_create(notifications)
    stage_of = {n.pk: stages[i] for i, n in zip(stages, notifications, strict=True)}
    live = [n for n in notifications if n.status != cr.NotificationStatus.DRAFT]
    involved = cr.Notification.agencies_involved.through
    involved.objects.bulk_create(
        involved(notification_id=n.pk, agency_id=agencies[(n.pk + k) % len(agencies)].pk)
        for n in live
        for k in (0, 1)
    )
    # Each case not yet decided may duplicate any of the four before it: from the first fill
    # on, the secretariat's list has a full page of pairs to compare (and log as seen).
    cr.PossibleDuplicate.objects.bulk_create(
        cr.PossibleDuplicate(notification=n, match=before, reason=cr.MatchReason.NHS_NUMBER)
        for k, n in enumerate(live)
        if stage_of[n.pk] in ("submitted", "notified", "considered")
        for before in live[max(0, k - 4) : k]
    )
    attachments = []
    for n in [n for k, n in enumerate(live) if k % 3 == 0 or stage_of[n.pk] == "review"]:
        attachment = cr.Attachment(
            notification=n,
            original_name="chronology.pdf",
            size=len(PDF_BYTES),
            uploaded_by=n.notifier,
        )
        attachment.file.save("chronology.pdf", ContentFile(PDF_BYTES), save=False)
        attachments.append(attachment)
    cr.Attachment.objects.bulk_create(attachments)

    clocks, considerations, decisions, reviews = [], [], [], []
    for n in live:
        stage = stage_of[n.pk]
        panel_due = add_working_days(n.aware_date, 5)
        clock = cr.Clock(
            notification=n,
            kind=cr.ClockKind.PANEL_NOTIFICATION,
            name="Notify the national panel and Ofsted",
            rule="within 5 working days of the day the agency became aware",
            starts_on=n.aware_date,
            due_on=panel_due,
            unit=cr.ClockUnit.WORKING_DAYS,
            met_on=n.panel_notified_on,
            owner=member,
            group=group,
        )
        clocks.append(clock)
        if n.panel_notified_on is None:
            clock.reminder_next_on = ladder.next_on(due=panel_due, last_sent=None)
            continue
        rapid_due = add_working_days(n.panel_notified_on, 15)
        clocks.append(
            cr.Clock(
                notification=n,
                kind=cr.ClockKind.RAPID_REVIEW,
                name="Rapid review completed",
                rule="within 15 working days of the national panel being notified",
                starts_on=n.panel_notified_on,
                due_on=rapid_due,
                unit=cr.ClockUnit.WORKING_DAYS,
                met_on=None if stage == "notified" else min(rapid_due, today),
                owner=member,
                group=group,
                reminder_next_on=ladder.next_on(due=rapid_due, last_sent=None)
                if stage == "notified"
                else None,
            )
        )
        if stage == "notified":
            continue
        chosen = types["no_review" if stage == "no_review" else "lcspr"]
        considerations.append(
            cr.Consideration(
                notification=n,
                abuse_or_neglect=cr.Answer.YES,
                child_died=cr.Answer.NO,
                seriously_harmed=cr.Answer.YES,
                concern_working_together=cr.Answer.NO if stage == "no_review" else cr.Answer.YES,
                died_in_custody=cr.Answer.NO,
                assessment="Neglect is suspected.",
                recommendation=chosen,
                rationale="As the criteria say.",
                recorded_by=member,
            )
        )
        if stage == "considered":
            continue
        decided = min(today, n.panel_notified_on + datetime.timedelta(days=30))
        decisions.append(
            cr.Decision(
                notification=n,
                review_type=chosen,
                reasons="As the subgroup recommended.",
                criteria_met=stage == "review",
                decided_by=board_chair,
                decided_on=decided,
            )
        )
        if stage == "no_review":
            continue  # no clock runs from a decision not to review (the current regime)
        due = add_months(decided, 6)
        clocks.append(
            cr.Clock(
                notification=n,
                kind=cr.ClockKind.DECISION,
                name=chosen.clock_name,
                rule="within 6 months of the decision",
                starts_on=decided,
                due_on=due,
                unit=chosen.clock_unit,
                owner=member,
                group=group,
                reminder_next_on=ladder.next_on(due=due, last_sent=None),
            )
        )
        reviews.append(
            cr.Review(
                notification=n,
                review_type=chosen,
                started_on=decided,
                due_on=due,
                lead_reviewer="A. Reviewer",
                lead_reviewer_independent=True,
                terms_of_reference="To learn how agencies shared information.",
            )
        )
    cr.Clock.objects.bulk_create(clocks)
    cr.Consideration.objects.bulk_create(considerations)
    cr.Decision.objects.bulk_create(decisions)
    cr.Review.objects.bulk_create(reviews)
    _fill_reviews(reviews, people, staff, member, group, agencies, ladder)


def _fill_reviews(
    reviews: list,
    people: list[User],
    staff: User,
    member: User,
    group: Group,
    agencies: list[Agency],
    ladder: Ladder,
) -> None:
    """The reviews' milestones, agency reports, action plans and lessons (`reviews` are
    casereview's `Review` rows, which the core does not import)."""
    from casereview import models as cr

    today = timezone.localdate()
    cr.Milestone.objects.bulk_create(
        cr.Milestone(
            review=r,
            title=title,
            due_on=r.started_on + datetime.timedelta(days=days),
            completed_on=r.started_on if days < 30 else None,
        )
        for r in reviews
        for title, days in [("Terms of reference agreed", 14), ("Learning event", 60)]
    )
    cr.AgencyReport.objects.bulk_create(
        cr.AgencyReport(
            review=r,
            agency=agencies[(r.pk + k) % len(agencies)],
            requested_on=r.started_on,
            due_on=r.started_on + datetime.timedelta(days=35),
            received_on=r.started_on if k == 0 else None,
        )
        for r in reviews
        for k in (0, 1)
    )
    recommendations = cr.Recommendation.objects.bulk_create(
        cr.Recommendation(review=r, number=k, text="Agencies share concerns the same day.")
        for r in reviews
        for k in (1, 2)
    )
    actions = []
    for k, recommendation in enumerate(recommendations):
        for j in (0, 1):
            n = 2 * k + j
            owner = staff if n % 3 == 0 else (member if n % 3 == 1 else people[n % len(people)])
            due = today + datetime.timedelta(days=(n % 90) - 30)
            done = n % 5 == 4
            actions.append(
                cr.PlanAction(
                    recommendation=recommendation,
                    description=f"Action {n}: issue a joint protocol.",
                    lead_agency=agencies[n % len(agencies)],
                    owner=owner,
                    due_date=due,
                    rag=Rag.values[n % len(Rag.values)],
                    status=cr.PlanActionStatus.COMPLETE if done else cr.PlanActionStatus.OPEN,
                    evidence="The protocol was issued." if done else "",
                    completed_on=today if done else None,
                    group=group,
                    reminder_next_on=None if done else ladder.next_on(due=due, last_sent=None),
                )
            )
    cr.PlanAction.objects.bulk_create(actions)
    cr.PlanActionUpdate.objects.bulk_create(
        cr.PlanActionUpdate(action=a, rag=a.rag, status=a.status, note="Recorded.", by=member)
        for a in actions
    )
    lessons = cr.Lesson.objects.bulk_create(
        cr.Lesson(
            review=r,
            theme="Sharing injury concerns",
            lesson="Share an unexplained injury in a baby the same day.",
            practice_area=cr.PracticeArea.values[r.pk % len(cr.PracticeArea.values)],
            recorded_by=member,
            status=cr.LessonStatus.APPROVED,  # on the lessons page, which the bench measures
        )
        for r in reviews
    )
    named = cr.Lesson.agencies.through
    named.objects.bulk_create(
        named(lesson_id=lesson.pk, agency_id=agencies[(lesson.pk + k) % len(agencies)].pk)
        for lesson in lessons
        for k in (0, 1)
    )
