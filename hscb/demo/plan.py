"""Demonstration business plan: this year's priorities with their targets, ratings and linked
objectives, the groups' resources, and the loader that makes them."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from hscb.demo.meetings import _at
from hscb.models import (
    BusinessPlan,
    Group,
    GroupFunction,
    GroupResource,
    Objective,
    Priority,
    ProgressUpdate,
    Rag,
    Target,
    User,
)
from hscb.selectors.plan import business_year

if TYPE_CHECKING:
    from hscb.demo import DemoReport

# Dates are (month, day) in the plan's year: April to December in its first calendar year,
# January to March in the next.

PLAN_TITLE = "Keeping Hertfordshire's children safe, together"
PLAN_SUMMARY = (
    "The Strategic Board oversees this plan and allocates the resources to meet its key "
    "targets. Each priority is led by one or more of the board's subgroups, which report their "
    "progress to every Strategic Board meeting, rated red, amber or green.\n\n"
    "The plan is resourced by the partner agencies of the board so that children in "
    "Hertfordshire are safeguarded and their welfare promoted."
)


@dataclass(frozen=True)
class TargetSpec:
    text: str
    measure: str
    owner: str
    due: tuple[int, int]


@dataclass(frozen=True)
class Rating:
    days_ago: int
    rag: str
    author: str
    commentary: str


@dataclass(frozen=True)
class PrioritySpec:
    number: int
    title: str
    description: str
    owner: str
    groups: tuple[str, ...]
    targets: tuple[TargetSpec, ...]
    objectives: tuple[tuple[str, str], ...]  # (group function, how the objective begins)
    ratings: tuple[Rating, ...]  # oldest first; the last is the priority's progress now


PRIORITIES = [
    PrioritySpec(
        1,
        "Children living with neglect are identified early and helped",
        "Practitioners in every agency recognise neglect, use the county's neglect toolkit and "
        "act together before harm becomes entrenched.",
        "Sarah Whitfield",
        (GroupFunction.IMPROVING_OUTCOMES, GroupFunction.LEARNING_DEVELOPMENT),
        (
            TargetSpec(
                "Front-line staff in every partner agency are trained in the neglect toolkit",
                "Percentage of front-line staff trained, reported by each agency each quarter "
                "(target 85%)",
                "Joanne Patel",
                (12, 31),
            ),
            TargetSpec(
                "The toolkit is used in at least 80% of neglect cases",
                "Multi-agency audit of 30 neglect cases in the autumn",
                "Hannah Price",
                (1, 31),
            ),
        ),
        (
            (GroupFunction.IMPROVING_OUTCOMES, "Identify areas of poor performance"),
            (GroupFunction.LEARNING_DEVELOPMENT, "To ensure constituent agencies"),
            (GroupFunction.STRATEGIC_BOARD, "Improve outcomes for children"),
        ),
        (
            Rating(84, Rag.GREEN, "David Okafor", "Toolkit relaunched; training booked."),
            Rating(
                42,
                Rag.AMBER,
                "David Okafor",
                "Training take-up in health and district councils is below 50%. Chasing through "
                "the Learning and Development subgroup.",
            ),
            Rating(
                7,
                Rag.AMBER,
                "Sarah Whitfield",
                "Take-up has risen to 64% overall. The audit of neglect cases is planned for "
                "the autumn; we expect to be green by the end of December.",
            ),
        ),
    ),
    PrioritySpec(
        2,
        "Children who go missing or are at risk of exploitation are protected",
        "Missing children, and those at risk of child sexual exploitation and trafficking, "
        "are found, interviewed on their return and protected through shared intelligence.",
        "Grace Mensah",
        (GroupFunction.ADOLESCENTS, GroupFunction.IMPROVING_OUTCOMES),
        (
            TargetSpec(
                "A return-home interview is offered within 72 hours of every missing episode",
                "Percentage of episodes with an interview offered within 72 hours (target 95%)",
                "Robert Chen",
                (3, 31),
            ),
            TargetSpec(
                "Partners share one picture of children at risk of exploitation",
                "Monthly multi-agency exploitation risk profile shared with every partner",
                "Grace Mensah",
                (9, 30),
            ),
        ),
        (
            (GroupFunction.ADOLESCENTS, "Provide a local framework"),
            (GroupFunction.IMPROVING_OUTCOMES, "Identify operational priorities based on data"),
        ),
        (
            Rating(
                70,
                Rag.AMBER,
                "Grace Mensah",
                "Interviews within 72 hours at 81%; the risk profile is in draft.",
            ),
            Rating(
                35,
                Rag.RED,
                "Grace Mensah",
                "Interviews within 72 hours fell to 68% after the provider changed. Raised "
                "with the Strategic Board as a risk.",
            ),
            Rating(
                6,
                Rag.RED,
                "Margaret Ellison",
                "The Board has asked children's services for a recovery plan by its next "
                "meeting. The risk profile is now shared monthly.",
            ),
        ),
    ),
    PrioritySpec(
        3,
        "The partnership learns from case reviews and child deaths, and practice changes",
        "Lessons from serious case reviews, partnership reviews and the Child Death Overview "
        "Panel reach practitioners, and action plans are completed with evidence.",
        "Jonathan Pryce",
        (
            GroupFunction.CASE_REVIEW,
            GroupFunction.CHILD_DEATH_OVERVIEW,
            GroupFunction.LEARNING_DEVELOPMENT,
        ),
        (
            TargetSpec(
                "Every review action plan is audited for evidence of completion",
                "Proportion of actions closed with evidence, audited twice a year",
                "Hannah Price",
                (3, 31),
            ),
            TargetSpec(
                "Lessons from each review are taught in multi-agency training within six months",
                "Courses updated within six months of a review's publication",
                "Joanne Patel",
                (2, 28),
            ),
            TargetSpec(
                "Safer sleep advice reaches every family with a new baby",
                "Proportion of new-birth visits with safer sleep advice recorded (target 98%)",
                "Aisha Begum",
                (12, 31),
            ),
        ),
        (
            (GroupFunction.CASE_REVIEW, "Establish whether there are lessons"),
            (GroupFunction.CASE_REVIEW, "Record any lessons learnt"),
            (GroupFunction.CHILD_DEATH_OVERVIEW, "Identify and review trends"),
        ),
        (
            Rating(
                63,
                Rag.AMBER,
                "Jonathan Pryce",
                "Two action plans are overdue for evidence.",
            ),
            Rating(
                14,
                Rag.GREEN,
                "Jonathan Pryce",
                "Both action plans now closed with evidence; learning briefings published.",
            ),
        ),
    ),
    PrioritySpec(
        4,
        "Partners know how well children are safeguarded, from shared performance data",
        "The Performance and Audit subgroups give the Strategic Board one reliable picture of "
        "how well children are safeguarded across agencies, and of the risks.",
        "Stephen Moore",
        (GroupFunction.PERFORMANCE, GroupFunction.AUDIT),
        (
            TargetSpec(
                "A quarterly multi-agency performance report goes to the Strategic Board",
                "Reports on time, with data from every statutory partner",
                "Stephen Moore",
                (3, 31),
            ),
            TargetSpec(
                "Every agency returns its Section 11 self-assessment",
                "Returns received by 30 September, moderated by 30 November",
                "Hannah Price",
                (11, 30),
            ),
        ),
        (
            (GroupFunction.PERFORMANCE, "Analyse safeguarding performance data"),
            (GroupFunction.AUDIT, "Receive reports of single agency audits"),
            (GroupFunction.STRATEGIC_BOARD, "Ensure that the Safeguarding Board has a business"),
        ),
        (
            Rating(
                77,
                Rag.RED,
                "Stephen Moore",
                "No health data for the first quarter's report.",
            ),
            Rating(
                40,
                Rag.AMBER,
                "Stephen Moore",
                "Health data received for the first quarter; two district councils still to "
                "send theirs.",
            ),
            Rating(
                10,
                Rag.AMBER,
                "Hannah Price",
                "Section 11 returns in from 11 of 14 agencies; the rest are being chased.",
            ),
        ),
    ),
    PrioritySpec(
        5,
        "Safeguarding procedures are current and used by every agency",
        "The board's inter-agency procedures meet Working Together and are reviewed on time.",
        "Robert Chen",
        (GroupFunction.POLICY_PROCEDURES,),
        (
            TargetSpec(
                "Every procedure is reviewed by its review date",
                "Procedures past their review date (target none)",
                "Lucy Thornton",
                (3, 31),
            ),
            TargetSpec(
                "Procedures are updated within three months of new statutory guidance",
                "Time from publication of guidance to the updated procedure",
                "Lucy Thornton",
                (1, 31),
            ),
        ),
        ((GroupFunction.POLICY_PROCEDURES, "Ensure that the Safeguarding Board (and member"),),
        (
            Rating(56, Rag.AMBER, "Robert Chen", "Four procedures past their review date."),
            Rating(21, Rag.GREEN, "Robert Chen", "All procedures reviewed and published."),
        ),
    ),
]

# What each group is given: (description, budget in pounds or None).
RESOURCES = {
    GroupFunction.STRATEGIC_BOARD: (
        "The independent chair (two days a month) and the board's business unit",
        Decimal("45000"),
    ),
    GroupFunction.IMPROVING_OUTCOMES: (
        "A business unit officer half-time; data analysis from the Performance subgroup",
        Decimal("6000"),
    ),
    GroupFunction.LEARNING_DEVELOPMENT: (
        "The multi-agency training programme: trainers, venues and e-learning licences",
        Decimal("28500"),
    ),
    GroupFunction.CASE_REVIEW: (
        "Independent reviewers for up to two partnership reviews",
        Decimal("30000"),
    ),
    GroupFunction.CHILD_DEATH_OVERVIEW: (
        "The child death review coordinator and the panel's administration",
        Decimal("18000"),
    ),
    GroupFunction.AUDIT: ("Officer time from the business unit for two multi-agency audits", None),
}


def _in_plan_year(year: int, month_day: tuple[int, int]) -> datetime.date:
    month, day = month_day
    return datetime.date(year if month >= 4 else year + 1, month, day)


def _load_plan(
    *,
    today: datetime.date,
    groups: dict[str, Group],
    people: dict[str, User],
    report: DemoReport,
) -> None:
    """This business year's plan, its priorities with targets, ratings and linked objectives,
    and the groups' resources. A priority or resource that exists is left as it is."""
    year = business_year(today)
    plan, report.created_plan = BusinessPlan.objects.get_or_create(
        year=year, defaults={"title": PLAN_TITLE, "summary": PLAN_SUMMARY}
    )
    for spec in PRIORITIES:
        priority, created = Priority.objects.get_or_create(
            plan=plan,
            number=spec.number,
            defaults={
                "title": spec.title,
                "description": spec.description,
                "owner": people[spec.owner],
            },
        )
        if not created:
            continue
        report.created_priorities += 1
        priority.groups.set([groups[f] for f in spec.groups])
        for order, target in enumerate(spec.targets, start=1):
            Target.objects.create(
                priority=priority,
                order=order,
                text=target.text,
                measure=target.measure,
                owner=people[target.owner],
                due_date=_in_plan_year(year, target.due),
            )
        for function, opening in spec.objectives:
            objective = Objective.objects.filter(
                group=groups[function], text__startswith=opening
            ).first()
            if objective is not None:  # the secretariat may have reworded it
                objective.priorities.add(priority)
        # The history of ratings, as `priority_progress_update` leaves it: the latest rating
        # is the priority's progress.
        for rating in spec.ratings:
            written_at = _at(today - datetime.timedelta(days=rating.days_ago), 11)
            ProgressUpdate.objects.create(
                priority=priority,
                rag=rating.rag,
                commentary=rating.commentary,
                author=people[rating.author],
                written_at=written_at,
            )
            priority.rag = rating.rag
            priority.commentary = rating.commentary
            priority.progress_updated_at = written_at
            priority.progress_updated_by = people[rating.author]
        priority.save()

    for function, (description, budget) in RESOURCES.items():
        GroupResource.objects.get_or_create(
            plan=plan,
            group=groups[function],
            defaults={"description": description, "budget": budget},
        )
