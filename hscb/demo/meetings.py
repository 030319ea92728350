"""Demonstration meetings: for each group that meets, a meeting held some weeks ago with its
minutes, attendance, quorum and the actions arising, and the meetings to come."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from hscb.lib import reminders
from hscb.models import (
    Action,
    ActionNote,
    ActionStatus,
    Agency,
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Group,
    GroupFunction,
    Meeting,
    MeetingStatus,
    Membership,
    User,
)
from hscb.services.attendance import quorum_assess

if TYPE_CHECKING:
    from hscb.demo import DemoReport

LONDON = ZoneInfo(settings.TIME_ZONE)
QUORUM_MEMBERS = 4
# The Strategic Board is quorate only with each statutory safeguarding partner present.
STRATEGIC_BOARD_AGENCIES = ["Children's Services", "Police", "ICB"]


@dataclass(frozen=True)
class Item:
    title: str
    presenter: str
    minutes_allotted: int
    minutes: str = ""
    decisions: str = ""
    description: str = ""


@dataclass(frozen=True)
class Note:
    days_ago: int
    text: str
    status_to: str = ""


@dataclass(frozen=True)
class ActionSpec:
    title: str
    owner: str
    item: int  # index of the past meeting's agenda item it arose from
    due_in: int  # days from today: negative is overdue
    status: str = ActionStatus.OPEN
    notes: tuple[Note, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class MeetingSpec:
    venue: str
    hour: int
    hours: float
    past: int  # days ago
    apology: str  # a member who sent apologies
    substitute: str  # who came in their place
    items: tuple[Item, ...]
    coming: tuple[tuple[int, tuple[Item, ...]], ...]  # (days ahead, agenda)
    actions: tuple[ActionSpec, ...]


def _opening(chair: str) -> Item:
    return Item("Welcome, apologies and declarations of interest", chair, 5)


def _last_minutes(chair: str, past: bool = True) -> Item:
    return Item(
        "Minutes of the last meeting and matters arising",
        chair,
        10,
        minutes="The minutes were agreed as a true record. Actions are complete or on this agenda."
        if past
        else "",
    )


MEETINGS = {
    GroupFunction.STRATEGIC_BOARD: MeetingSpec(
        venue="Council Chamber, County Hall, Pegs Lane, Hertford SG13 8DE",
        hour=10,
        hours=2.5,
        past=45,
        apology="Mark Osei",
        substitute="Grace Mensah",
        items=(
            _opening("Margaret Ellison"),
            _last_minutes("Margaret Ellison"),
            Item(
                "Business plan: progress on each priority",
                "Priya Shah",
                30,
                minutes="Each lead subgroup reported its rating. Priority 2 is red: return-home "
                "interviews within 72 hours fell after the provider changed.",
                decisions="The Board accepted the ratings and asked children's services for a "
                "recovery plan for return-home interviews by its next meeting.",
            ),
            Item(
                "Escalation from the Improving Outcomes subgroup: health data on missed "
                "appointments",
                "David Okafor",
                25,
                minutes="The subgroup cannot get data on children who miss health appointments "
                "from two NHS trusts. This has countywide implications.",
                decisions="The Board accepted the escalation. The designated nurse will write to "
                "both trusts' chief nurses.",
            ),
            Item(
                "Section 11 self-assessments: themes across agencies",
                "Hannah Price",
                20,
                minutes="Supervision and safer recruitment were the weakest standards.",
                decisions="Themes to be published for partner agencies.",
            ),
            Item("Any other business", "Margaret Ellison", 5, minutes="None."),
        ),
        coming=(
            (
                16,
                (
                    _opening("Margaret Ellison"),
                    _last_minutes("Margaret Ellison", past=False),
                    Item(
                        "Recovery plan: return-home interviews",
                        "Sarah Whitfield",
                        25,
                        description="Children's services' plan to bring interviews within 72 "
                        "hours back above 95%.",
                    ),
                    Item("Business plan: progress on each priority", "Priya Shah", 30),
                    Item("Case Review subgroup report", "Jonathan Pryce", 20),
                    Item("Draft annual report", "Priya Shah", 20),
                    Item("Any other business", "Margaret Ellison", 5),
                ),
            ),
            (
                100,
                (
                    _opening("Margaret Ellison"),
                    _last_minutes("Margaret Ellison", past=False),
                    Item("Performance report: quarter three", "Stephen Moore", 30),
                    Item("Business plan for next year: first draft", "Priya Shah", 40),
                ),
            ),
        ),
        actions=(
            ActionSpec(
                "Write to the chief nurses of both trusts about data on missed health appointments",
                "Clare Donnelly",
                item=3,
                due_in=-12,
                status=ActionStatus.IN_PROGRESS,
                notes=(
                    Note(
                        30, "Letter drafted; waiting for the Board chair's comments.", "in_progress"
                    ),
                ),
            ),
            ActionSpec(
                "Bring a recovery plan for return-home interviews to the next meeting",
                "Sarah Whitfield",
                item=2,
                due_in=9,
            ),
            ActionSpec(
                "Publish the Section 11 themes for partner agencies",
                "Priya Shah",
                item=4,
                due_in=-20,
                status=ActionStatus.DONE,
                notes=(
                    Note(25, "Published on the board's website and sent to every agency.", "done"),
                ),
            ),
        ),
    ),
    GroupFunction.IMPROVING_OUTCOMES: MeetingSpec(
        venue="Room 2.14, Farnham House, Six Hills Way, Stevenage SG1 2FQ",
        hour=14,
        hours=2,
        past=38,
        apology="Rebecca Hart",
        substitute="Yasmin Ali",
        items=(
            _opening("David Okafor"),
            _last_minutes("David Okafor"),
            Item(
                "Issues register: review of open issues",
                "David Okafor",
                40,
                minutes="Seven issues are open. Data on missed health appointments is still "
                "not shared by two trusts after three requests.",
                decisions="Escalate the health data issue to the Strategic Board as an issue "
                "of significant risk with countywide implications.",
            ),
            Item(
                "Performance data: early help and missing children",
                "Stephen Moore",
                30,
                minutes="Early help assessments are up 12% on last year. Missing episodes are "
                "flat, but fewer return-home interviews are on time.",
                decisions="Add return-home interviews to the issues register.",
            ),
            Item(
                "Good practice: the neglect toolkit in Stevenage",
                "Emma Clarke",
                20,
                minutes="The voluntary sector network described joint visits with health "
                "visitors using the toolkit.",
                decisions="Share the example with the Learning and Development subgroup.",
            ),
            Item("Any other business", "David Okafor", 5, minutes="None."),
        ),
        coming=(
            (
                23,
                (
                    _opening("David Okafor"),
                    _last_minutes("David Okafor", past=False),
                    Item("Issues register: review of open issues", "David Okafor", 40),
                    Item("Neglect audit: early findings", "Helen Marsh", 25),
                    Item("Any other business", "David Okafor", 5),
                ),
            ),
        ),
        actions=(
            ActionSpec(
                "Send missing-episode data for the last two quarters for the issues register",
                "Helen Marsh",
                item=3,
                due_in=-5,
            ),
            ActionSpec(
                "Draft the neglect audit briefing for practitioners",
                "Helen Marsh",
                item=4,
                due_in=8,
                status=ActionStatus.IN_PROGRESS,
                notes=(Note(12, "First draft with the police lead for comments.", "in_progress"),),
            ),
            ActionSpec(
                "Confirm the police lead for the neglect toolkit",
                "Helen Marsh",
                item=4,
                due_in=-25,
                status=ActionStatus.DONE,
                notes=(Note(27, "DI Marsh is the lead; named in the toolkit.", "done"),),
            ),
            ActionSpec(
                "Record the Strategic Board's decision on the health data escalation in the "
                "register",
                "David Okafor",
                item=2,
                due_in=19,
            ),
            ActionSpec(
                "Share the Stevenage toolkit example with the Learning and Development subgroup",
                "Emma Clarke",
                item=4,
                due_in=-15,
                status=ActionStatus.DONE,
                notes=(Note(20, "Presented at the subgroup's last meeting.", "done"),),
            ),
        ),
    ),
    GroupFunction.CASE_REVIEW: MeetingSpec(
        venue="Meeting Room 1, Apsley Two, Brindley Way, Hemel Hempstead HP3 9BF",
        hour=10,
        hours=2,
        past=31,
        apology="Clare Donnelly",
        substitute="Hannah Price",
        items=(
            _opening("Jonathan Pryce"),
            _last_minutes("Jonathan Pryce"),
            Item(
                "Serious incident notifications since the last meeting",
                "Jonathan Pryce",
                45,
                minutes="Two notifications were considered. Rapid reviews are under way for "
                "both; details are in the case records.",
                decisions="Recommend to the Board chair that one case is considered for a "
                "local child safeguarding practice review.",
            ),
            Item(
                "Review action plans: progress",
                "Gareth Lloyd",
                20,
                minutes="Two plans still need evidence for actions in education.",
            ),
            Item("Any other business", "Jonathan Pryce", 5, minutes="None."),
        ),
        coming=(
            (
                11,
                (
                    _opening("Jonathan Pryce"),
                    _last_minutes("Jonathan Pryce", past=False),
                    Item("Rapid reviews: outcomes", "Jonathan Pryce", 45),
                    Item("Terms of reference for the practice review", "Gareth Lloyd", 20),
                ),
            ),
        ),
        actions=(
            ActionSpec(
                "Circulate draft terms of reference for the practice review",
                "Gareth Lloyd",
                item=2,
                due_in=6,
            ),
            ActionSpec(
                "Send the evidence for the education actions in both review action plans",
                "Gareth Lloyd",
                item=3,
                due_in=-3,
                status=ActionStatus.IN_PROGRESS,
                notes=(Note(9, "Evidence for one plan collected.", "in_progress"),),
            ),
        ),
    ),
    GroupFunction.CHILD_DEATH_OVERVIEW: MeetingSpec(
        venue="Lister Hospital, Coreys Mill Lane, Stevenage SG1 4AB (Education Centre)",
        hour=13,
        hours=2.5,
        past=24,
        apology="Grace Mensah",
        substitute="Mark Osei",
        items=(
            _opening("Yasmin Ali"),
            _last_minutes("Yasmin Ali"),
            Item(
                "Deaths notified since the last meeting",
                "Alan Fairbanks",
                20,
                minutes="Numbers and categories only were discussed; no child is named in these "
                "minutes.",
            ),
            Item(
                "Safer sleep campaign",
                "Aisha Begum",
                30,
                minutes="Modifiable factors in two sudden infant deaths this year related to "
                "unsafe sleeping.",
                decisions="Renew the safer sleep campaign with maternity units and health "
                "visitors.",
            ),
            Item(
                "Annual report: data for the year",
                "Alan Fairbanks",
                20,
                minutes="The coordinator presented the year's figures by category of death "
                "and age band. Small numbers will be suppressed in the published report.",
                decisions="Figures to be checked against the national database before the "
                "draft report.",
            ),
        ),
        coming=(
            (
                30,
                (
                    _opening("Yasmin Ali"),
                    _last_minutes("Yasmin Ali", past=False),
                    Item("Case reviews by the panel", "Yasmin Ali", 90),
                    Item("Annual report: draft", "Alan Fairbanks", 20),
                ),
            ),
        ),
        actions=(
            ActionSpec(
                "Send safer sleep leaflets to every maternity unit",
                "Aisha Begum",
                item=3,
                due_in=13,
            ),
            ActionSpec(
                "Check the year's figures against the national child mortality database",
                "Alan Fairbanks",
                item=4,
                due_in=-10,
                status=ActionStatus.DONE,
                notes=(Note(14, "Figures agree.", "done"),),
            ),
        ),
    ),
}


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=LONDON)


def _weekday(day: datetime.date) -> datetime.date:
    """The day, or the Monday after it if it falls at a weekend: boards meet on weekdays."""
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


def _set_quorum_rules(*, groups: dict[str, Group], agencies: dict[str, Agency]) -> None:
    """A quorum for each group that meets in the demonstration, unless one is set already."""
    for function in MEETINGS:
        group = groups[function]
        if group.quorum_members == 0:
            group.quorum_members = QUORUM_MEMBERS
            group.save(update_fields=["quorum_members"])
    board = groups[GroupFunction.STRATEGIC_BOARD]
    if not board.quorum_agencies.exists():
        board.quorum_agencies.set([agencies[short] for short in STRATEGIC_BOARD_AGENCIES])


def _items(meeting: Meeting, items: tuple[Item, ...], people: dict[str, User]) -> list[AgendaItem]:
    return [
        AgendaItem.objects.create(
            meeting=meeting,
            order=order,
            title=item.title,
            description=item.description,
            presenter=people[item.presenter],
            minutes_allotted=item.minutes_allotted,
            minutes=item.minutes,
            decisions=item.decisions,
        )
        for order, item in enumerate(items, start=1)
    ]


def _attendance(
    meeting: Meeting, spec: MeetingSpec, people: dict[str, User]
) -> tuple[list[Attendance], dict[int, Membership]]:
    """Every member present but one, who sent apologies and sent a colleague in their place;
    presenters from outside the group attend as guests."""
    day = timezone.localtime(meeting.starts_at).date()
    seats: dict[int, Membership] = {}
    for seat in Membership.objects.current(day).filter(group=meeting.group).select_related("user"):
        seats.setdefault(seat.user_id, seat)
    apology, substitute = people[spec.apology], people[spec.substitute]
    if apology.pk not in seats or substitute.pk in seats:
        apology = substitute = None  # the secretariat has changed the group's members
    rows = []
    for seat in seats.values():
        away = apology is not None and seat.user_id == apology.pk
        rows.append(
            Attendance(
                meeting=meeting,
                person=seat.user,
                agency=seat.agency,
                status=AttendanceStatus.APOLOGIES if away else AttendanceStatus.PRESENT,
                is_member=True,
            )
        )
    if substitute is not None:
        rows.append(
            Attendance(
                meeting=meeting,
                person=substitute,
                agency=seats[apology.pk].agency,
                status=AttendanceStatus.PRESENT,
                substitute_for=apology,
            )
        )
    listed = {row.person.pk for row in rows}
    for item in spec.items:
        guest = people[item.presenter]
        if guest.pk not in listed and guest.agency_id:
            listed.add(guest.pk)
            rows.append(
                Attendance(
                    meeting=meeting,
                    person=guest,
                    agency=guest.agency,
                    status=AttendanceStatus.PRESENT,
                )
            )
    return Attendance.objects.bulk_create(rows), seats


def _apologies_minute(attendance: list[Attendance]) -> str:
    """The first minute of a meeting: who sent apologies, who stood in for whom."""
    away = [a.person for a in attendance if a.status == AttendanceStatus.APOLOGIES]
    standing_in = [a for a in attendance if a.substitute_for_id]
    lines = [f"Apologies were received from {', '.join(str(p) for p in away) or 'no-one'}."]
    lines += [f"{a.person} attended in place of {a.substitute_for}." for a in standing_in]
    lines.append("No interests were declared.")
    return " ".join(lines)


def _actions(
    *,
    meeting: Meeting,
    items: list[AgendaItem],
    spec: MeetingSpec,
    people: dict[str, User],
    secretariat: User,
    today: datetime.date,
) -> int:
    """The actions arising from a held meeting, with their notes, as the actions service
    leaves them: a closed one is never chased, an open one has its reminder ladder armed."""
    for action_spec in spec.actions:
        action = Action(
            group=meeting.group,
            meeting=meeting,
            agenda_item=items[action_spec.item],
            title=action_spec.title,
            description=action_spec.description,
            owner=people[action_spec.owner],
            due_date=today + datetime.timedelta(days=action_spec.due_in),
            status=action_spec.status,
            created_by=secretariat,
        )
        done_on = None
        for note in action_spec.notes:
            if note.status_to == ActionStatus.DONE:
                done_on = today - datetime.timedelta(days=note.days_ago)
        action.completed_on = done_on
        if action.is_open:
            reminders.rearm(action)
        else:
            reminders.stop(action)
        action.save()
        status = ActionStatus.OPEN
        for note in action_spec.notes:
            ActionNote.objects.create(
                action=action,
                author=action.owner,
                written_at=_at(today - datetime.timedelta(days=note.days_ago), 16),
                text=note.text,
                status_from=status if note.status_to else "",
                status_to=note.status_to,
            )
            status = note.status_to or status
    return len(spec.actions)


def _load_meetings(
    *,
    today: datetime.date,
    groups: dict[str, Group],
    people: dict[str, User],
    secretariat: User,
    report: DemoReport,
) -> None:
    """For each group in MEETINGS that has never met here: a meeting held some weeks ago, with
    minutes, decisions, attendance and the actions arising, and its coming meetings."""
    for function, spec in MEETINGS.items():
        group = groups[function]
        if group.meetings.exists():
            continue
        duration = datetime.timedelta(hours=spec.hours)
        starts = _at(_weekday(today - datetime.timedelta(days=spec.past)), spec.hour)
        held = Meeting.objects.create(
            group=group,
            starts_at=starts,
            ends_at=starts + duration,
            venue=spec.venue,
            status=MeetingStatus.HELD,
            papers_sent_at=starts - datetime.timedelta(days=7),
            created_by=secretariat,
        )
        items = _items(held, spec.items, people)
        attendance, seats = _attendance(held, spec, people)
        items[0].minutes = _apologies_minute(attendance)
        items[0].save(update_fields=["minutes"])
        quorum = quorum_assess(group=group, seats=seats, attendance=attendance)
        held.quorate, held.quorum_summary = quorum.quorate, quorum.summary
        held.save(update_fields=["quorate", "quorum_summary"])
        report.created_meetings += 1
        report.created_actions += _actions(
            meeting=held,
            items=items,
            spec=spec,
            people=people,
            secretariat=secretariat,
            today=today,
        )
        for days_ahead, agenda in spec.coming:
            starts = _at(_weekday(today + datetime.timedelta(days=days_ahead)), spec.hour)
            coming = Meeting.objects.create(
                group=group,
                starts_at=starts,
                ends_at=starts + duration,
                venue=spec.venue,
                created_by=secretariat,
            )
            _items(coming, agenda, people)
            report.created_meetings += 1
