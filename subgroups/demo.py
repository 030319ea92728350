"""Demonstration register for the Improving Outcomes subgroup: a few multi-agency issues at
different risks and stages, one escalated to the Strategic Board, and the good practice the
group keeps. Written through the register's services, as the subgroup would write them.

Registered with `hscb.demo.register_demo`; only `manage.py load_demo` runs it. Made only while
the register is empty, so running it again adds nothing twice.
"""

from __future__ import annotations

import datetime

from hscb.demo import DemoContext
from hscb.models import BusinessPlan
from hscb.selectors.plan import business_year
from subgroups.models import GoodPractice, GoodPracticeScope, Issue, IssueSource, IssueStatus
from subgroups.services.register import (
    escalation_propose,
    good_practice_add,
    issue_progress,
    issue_raise,
)

ISSUES = [
    # (title, source, agencies, likelihood, impact, owner, review in days, description, improvement)
    (
        "Missed health appointments not shared with children's social care",
        IssueSource.PERFORMANCE_DATA,
        ["ENHT", "WHTH", "Children's Services"],
        4,
        4,
        "Helen Marsh",
        30,
        "Children on child protection plans miss health appointments and social workers are not "
        "told for weeks: both acute trusts record non-attendance but do not send it on.",
        "A weekly list of missed appointments for children on plans, sent by each trust to the "
        "children's services front door.",
    ),
    (
        "Return home interviews completed late for children who go missing",
        IssueSource.SINGLE_AGENCY_AUDIT,
        ["Children's Services", "Police"],
        3,
        4,
        "Rebecca Hart",
        45,
        "Fewer than half of return home interviews happen within 72 hours, so what children say "
        "about where they were does not reach the police in time.",
        "Joint daily triage of missing episodes and a named worker for each child missing twice "
        "or more in a month.",
    ),
    (
        "Schools not invited to strategy discussions",
        IssueSource.MULTI_AGENCY_AUDIT,
        ["Schools", "Children's Services", "Police"],
        3,
        3,
        "Kevin Walsh",
        60,
        "The multi-agency audit of neglect found schools were invited to one strategy discussion "
        "in five, although they knew the children best.",
        "Strategy discussion invitations to include the designated safeguarding lead by default.",
    ),
    (
        "Thresholds applied differently across the county",
        IssueSource.AGENCY_REPORT,
        ["Children's Services", "ICB", "Police", "Schools"],
        2,
        3,
        "Emma Clarke",
        90,
        "Referrals from the east of the county are more often closed with no further action "
        "than the same referrals from the west.",
        "A countywide threshold workshop and a dip sample of closed referrals each quarter.",
    ),
]

GOOD_PRACTICE = [
    (
        "Daily missing-children triage in Stevenage",
        GoodPracticeScope.LOCAL,
        "Stevenage Borough Council and Hertfordshire Constabulary",
        "Police and children's services meet each morning to review every child reported missing "
        "overnight; return home interviews are booked before the meeting ends.",
        "",
        "missing children",
        ["Police", "Stevenage BC"],
    ),
    (
        "Graded Care Profile 2 for neglect",
        GoodPracticeScope.NATIONAL,
        "NSPCC",
        "A structured tool that helps practitioners measure the quality of care a child receives "
        "and see where a family needs help.",
        "https://www.nspcc.org.uk/",
        "neglect",
        ["Children's Services", "HCT"],
    ),
]


def load_register(context: DemoContext) -> str:
    if Issue.objects.exists():
        return ""
    people = context.people
    chair = people["David Okafor"]
    agencies = context.agencies
    plan = BusinessPlan.objects.filter(year=business_year(context.today)).first()
    priority = plan.priorities.order_by("number").first() if plan else None
    for title, scope, source, summary, link, theme, names in GOOD_PRACTICE:
        if not GoodPractice.objects.filter(title=title).exists():
            good_practice_add(
                by=chair,
                title=title,
                scope=scope,
                source=source,
                summary=summary,
                link=link,
                theme=theme,
                agencies=[agencies[n] for n in names],
            )
    issues = []
    for title, source, names, likelihood, impact, owner, days, description, improvement in ISSUES:
        issues.append(
            issue_raise(
                by=chair,
                title=title,
                description=description,
                source=source,
                agencies=[agencies[n] for n in names],
                is_countywide=False,
                priority=priority,
                likelihood=likelihood,
                impact=impact,
                owner=people[owner],
                proposed_improvement=improvement,
                review_date=context.today + datetime.timedelta(days=days),
            )
        )
    issue_progress(
        issue=issues[2],
        by=people["Kevin Walsh"],
        text="The new invitation template is in use; we are watching the next two months.",
        status=IssueStatus.MONITORING,
        seen_status=IssueStatus.OPEN,
    )
    escalation_propose(
        issue=issues[0],
        by=chair,
        countywide_or_national=True,
        beyond_remit=False,
        lack_of_cooperation=True,
        uncooperative_agencies=[agencies["ENHT"], agencies["WHTH"]],
        rationale="Both trusts have been asked three times to share missed appointments and "
        "have not: children on plans are at risk while the information sits in two systems.",
        recommendations="The Board asks both trusts' chief nurses to agree the weekly list "
        "within a month and report back to the next Board.",
    )
    return f"{len(issues)} register issues (one escalated) and good practice"


def register() -> None:
    from hscb.demo import register_demo

    register_demo("subgroups.register", load_register)
