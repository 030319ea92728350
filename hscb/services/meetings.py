"""Every write about meetings: scheduling, agendas, papers, sending the papers, minutes and
cancelling. Attendance and quorum are in `hscb.services.attendance`.

Functions raise `ValidationError` for what the user can put right. Errors keyed by a name are
meant for the form field of that name (`start_time`, `venue`…).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from hscb.lib.checks import queue_after_commit
from hscb.lib.email import send_templated_email
from hscb.lib.uploads import clean_file_name, validate_document
from hscb.models import (
    Action,
    AgendaItem,
    Group,
    Meeting,
    MeetingStatus,
    Membership,
    Paper,
    User,
)
from hscb.selectors.meetings import agenda_of
from hscb.signals import meeting_scheduled

LONDON = ZoneInfo(settings.TIME_ZONE)
MAX_ITEM_MINUTES = 480
# What changing a meeting's details writes (`meeting_schedule`).
SCHEDULE_FIELDS = ["group", "title", "starts_at", "ends_at", "venue", "online_link"]
# What changing an agenda item writes (`item_save`): never its minutes or decisions.
ITEM_FIELDS = [
    "title",
    "description",
    "presenter",
    "presenter_name",
    "minutes_allotted",
    "linked_type",
    "linked_id",
    "order",
]


def _refuse_if_cancelled(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(
            "This meeting has been cancelled, so it cannot be changed", code="cancelled"
        )


def not_started_message(meeting: Meeting, what: str) -> str:
    start = timezone.localtime(meeting.starts_at)
    return (
        f"You can record {what} once the meeting has started, at {_clock(start)} on "
        f"{start:%-d %B %Y}"
    )


def _refuse_before_start(meeting: Meeting, what: str, now: datetime.datetime) -> None:
    if meeting.starts_at > now:
        raise ValidationError(not_started_message(meeting, what), code="not_started")


# Scheduling -----------------------------------------------------------------------------------


class MeetingOverlaps(ValidationError):
    """The meeting would overlap other meetings of its group. Not an error in itself: the user
    may confirm and schedule it anyway."""

    def __init__(self, meetings: Sequence[Meeting]) -> None:
        self.meetings = list(meetings)
        names = "; ".join(describe_meeting(m) for m in self.meetings)
        super().__init__(
            f"The {self.meetings[0].group.name} already has a meeting at this time: {names}",
            code="overlap",
        )


def describe_meeting(meeting: Meeting) -> str:
    """“Improving Outcomes subgroup meeting, 27 November 2026, 10:00am to 12:00pm”."""
    starts, ends = timezone.localtime(meeting.starts_at), timezone.localtime(meeting.ends_at)
    return f"{meeting.name}, {starts:%-d %B %Y}, {_clock(starts)} to {_clock(ends)}"


def _clock(moment: datetime.datetime) -> str:
    return f"{moment:%-I:%M}{'am' if moment.hour < 12 else 'pm'}"


def london_to_utc(day: datetime.date, time: datetime.time) -> datetime.datetime:
    """A wall-clock time in London on `day`, as a UTC datetime. A time the clocks skip when they
    go forward (01:30 on the last Sunday in March) does not exist and is refused."""
    local = datetime.datetime.combine(day, time).replace(tzinfo=LONDON)
    utc = local.astimezone(datetime.UTC)
    if utc.astimezone(LONDON).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise ValidationError(
            "That time does not exist on that day because the clocks go forward", code="gap"
        )
    return utc


def meeting_schedule(
    *,
    by: User,
    group: Group,
    title: str,
    date: datetime.date,
    start: datetime.time,
    end: datetime.time,
    venue: str,
    online_link: str,
    recording_past: bool = False,
    allow_overlap: bool = False,
    meeting: Meeting | None = None,
) -> Meeting:
    """Schedule a new meeting, or change an existing one's details (`meeting`).

    Times are London wall-clock times on `date`, stored in UTC. The meeting ends after it
    starts, has a venue or an online link, and starts in the future unless the secretariat is
    recording one that has already taken place (`recording_past`); a meeting already held, or
    one whose start is not being moved, may keep a start in the past. Overlapping meetings of
    the same group raise `MeetingOverlaps` unless `allow_overlap`.

    A change keeps the meeting with its group once it has agenda items, attendance or actions
    (they belong to that group's business), and a meeting already held stays in the past. It
    writes only the details above, never the papers' sending, the quorum or the status.
    """
    now = timezone.now()
    errors: dict[str, list[str]] = {}
    if meeting is not None:
        _refuse_if_cancelled(meeting)
    if not group.is_active and (meeting is None or meeting.group_id != group.pk):
        errors.setdefault("group", []).append("Choose a group that is still active")
    elif meeting is not None and meeting.group_id != group.pk:
        business = _business_of(meeting)
        if business:
            errors.setdefault("group", []).append(
                f"This meeting cannot move to another group because it already has "
                f"{business}. Schedule a new meeting for the other group instead"
            )
    starts = ends = None
    for name, time in (("start_time", start), ("end_time", end)):
        try:
            moment = london_to_utc(date, time)
        except ValidationError as error:
            errors.setdefault(name, []).extend(error.messages)
            continue
        if name == "start_time":
            starts = moment
        else:
            ends = moment
    if starts and ends and ends <= starts:
        errors.setdefault("end_time", []).append("The end time must be after the start time")
    if not venue.strip() and not online_link.strip():
        errors.setdefault("venue", []).append("Enter a venue, an online meeting link, or both")
    if starts:
        keeps_its_start = meeting is not None and (
            meeting.status == MeetingStatus.HELD or meeting.starts_at == starts
        )
        if starts < now and not recording_past and not keeps_its_start:
            errors.setdefault("date", []).append(
                "The meeting must start in the future. To record a meeting that has already "
                "taken place, tick “This meeting has already taken place”"
            )
        if starts > now and meeting is not None and meeting.status == MeetingStatus.HELD:
            errors.setdefault("date", []).append(
                "This meeting has been held, so it cannot move to a time in the future. Enter "
                "the date and time it took place"
            )
        elif starts > now and recording_past:
            errors.setdefault("date", []).append(
                "The meeting has not taken place yet: the date is in the future. Change the "
                "date, or untick “This meeting has already taken place”"
            )
    if errors:
        raise ValidationError(errors)

    if not allow_overlap:
        probe = Meeting(pk=getattr(meeting, "pk", None), group=group, starts_at=starts)
        probe.ends_at = ends
        others = list(Meeting.objects.overlapping(probe).select_related("group"))
        if others:
            raise MeetingOverlaps(others)

    with transaction.atomic():
        target = meeting or Meeting(created_by=by)
        target.group = group
        target.title = title.strip()
        target.starts_at, target.ends_at = starts, ends
        target.venue, target.online_link = venue.strip(), online_link.strip()
        try:
            # A change writes only the details: the papers' sending, the quorum and the status
            # may have been set since the meeting was read, and must not be put back.
            target.save(update_fields=None if meeting is None else SCHEDULE_FIELDS)
        except ConcurrentTransition as error:
            raise ValidationError(
                "Someone else changed this meeting's status while you were editing it. "
                "Check the meeting and try again",
                code="stale",
            ) from error
        if meeting is None:
            # robust: whatever a listener does wrong, the meeting is scheduled and the page says so.
            transaction.on_commit(
                lambda: meeting_scheduled.send_robust(sender=Meeting, meeting=target, by=by),
                robust=True,
            )
    return target


def _business_of(meeting: Meeting) -> str:
    """What the meeting already holds that ties it to its group, in words ("agenda items and
    actions"), or "" when it holds nothing."""
    held = [
        what
        for what, exists in (
            ("agenda items", meeting.items.exists()),
            ("attendance", meeting.attendance.exists()),
            ("actions", meeting.actions.exists()),
        )
        if exists
    ]
    if len(held) < 2:
        return "".join(held)
    return f"{', '.join(held[:-1])} and {held[-1]}"


def meeting_cancel(*, meeting: Meeting, by: User) -> Meeting:
    """Cancel a scheduled meeting. Its agenda and papers are kept. A meeting that was held or is
    already cancelled, or whose status someone else has just changed, is refused."""
    with transaction.atomic():
        try:
            meeting.cancel()
            meeting.save()
        except TransitionNotAllowed as error:
            raise ValidationError(
                f"Only a scheduled meeting can be cancelled. This one is "
                f"{meeting.get_status_display().lower()}",
                code="not_scheduled",
            ) from error
        except ConcurrentTransition as error:
            raise ValidationError(
                "Someone else changed this meeting's status at the same time. Check the "
                "meeting and try again",
                code="stale",
            ) from error
    return meeting


# Records an agenda item may point to ---------------------------------------------------------


def _number_label(record: models.Model) -> str:
    """A label that gives nothing away: the kind of record and its number ("Issue 12")."""
    return f"{capfirst(record._meta.verbose_name)} {record.pk}"


def _nobody_may_see(user: User, record: models.Model) -> bool:
    return False


def _by_number(records: models.QuerySet, typed: str) -> models.QuerySet:
    """The record whose number is typed, alone or after its kind ("12", "Action 12")."""
    kind = re.escape(str(records.model._meta.verbose_name))
    number = re.fullmatch(rf"(?:{kind}\s*)?([0-9]{{1,18}})", typed, flags=re.IGNORECASE)
    return records.filter(pk=int(number.group(1))) if number else records.none()


@dataclass(frozen=True)
class Linkable:
    """A kind of record an agenda item may point to.

    `records(meeting)` gives those an item of that meeting may choose, listed under `heading`
    in the item form (the first LINK_CHOICES of them); `find(records, typed)` finds among them
    the one a reference typed in the form names (by default, by its number). Everyone who may
    see the meeting sees its agenda, and a linked record may be about a child, so a record is
    never shown by its `__str__`: `label(record)` is a label with nothing personal in it, and
    `can_see(user, record)` says whether this person may see the record at all (by default
    nobody may). `related` names what `label` and `can_see` read from related records, loaded
    once for all the records of a page.
    """

    model: type[models.Model]
    heading: str
    records: Callable[[Meeting], models.QuerySet]
    label: Callable[[models.Model], str] = _number_label
    can_see: Callable[[User, models.Model], bool] = _nobody_may_see
    related: tuple[str, ...] = ()
    find: Callable[[models.QuerySet, str], models.QuerySet] = _by_number

    @property
    def key(self) -> str:
        return self.model._meta.label_lower


LINKABLE: dict[str, Linkable] = {}
# An agenda item's select offers this many records of each kind.
LINK_CHOICES = 50


def register_linkable(
    model: type[models.Model],
    *,
    heading: str,
    records: Callable[[Meeting], models.QuerySet],
    label: Callable[[models.Model], str] = _number_label,
    can_see: Callable[[User, models.Model], bool] = _nobody_may_see,
    related: Sequence[str] = (),
    find: Callable[[models.QuerySet, str], models.QuerySet] = _by_number,
) -> None:
    """Let agenda items point to records of `model`. Apps call this from `AppConfig.ready`."""
    linkable = Linkable(
        model=model,
        heading=heading,
        records=records,
        label=label,
        can_see=can_see,
        related=tuple(related),
        find=find,
    )
    LINKABLE[linkable.key] = linkable


def link_value(record: models.Model) -> str:
    """The value that stands for `record` in the agenda item form: "hscb.action:12"."""
    return f"{record._meta.label_lower}:{record.pk}"


def link_choices(
    meeting: Meeting, *, include: models.Model | None = None
) -> list[tuple[str, list[tuple[str, str]]]]:
    """The records an item of `meeting` may point to, grouped by kind, for a select: the first
    LINK_CHOICES of each kind in its own order (the newest actions, the longest-waiting cases),
    and `include` (the record an item points to now) wherever it comes. A page of choices, not
    every record of ten years."""
    choices = []
    for linkable in LINKABLE.values():
        records = list(linkable.records(meeting)[:LINK_CHOICES])
        if (
            include is not None
            and isinstance(include, linkable.model)
            and include not in records
            and linkable.records(meeting).filter(pk=include.pk).exists()
        ):
            records.append(include)
        if linkable.related:
            models.prefetch_related_objects(records, *linkable.related)
        options = [(link_value(r), linkable.label(r)) for r in records]
        if options:
            choices.append((linkable.heading, options))
    return choices


def link_resolve(meeting: Meeting, value: str) -> models.Model | None:
    """The record `value` stands for, if an item of `meeting` may point to it; else an error."""
    if not value:
        return None
    key, _, pk = value.partition(":")
    linkable = LINKABLE.get(key)
    record = None
    if linkable is not None and pk.isdigit():
        record = linkable.records(meeting).filter(pk=int(pk)).first()
    if record is None:
        raise ValidationError({"linked": ["Choose a record from the list"]})
    return record


def link_find(meeting: Meeting, typed: str) -> models.Model:
    """The record an item of `meeting` may point to that the reference `typed` names, of any
    kind; ValidationError saying why when none or several could be meant."""
    typed = " ".join(typed.split())
    found: list[tuple[Linkable, models.Model]] = []
    for linkable in LINKABLE.values():
        found += [(linkable, r) for r in linkable.find(linkable.records(meeting), typed)[:2]]
    if len(found) == 1:
        return found[0][1]
    if not found:
        raise ValidationError(
            f"No record this item can be about has the reference “{typed}”: check it, or "
            "choose one from the list",
            code="not_found",
        )
    for linkable in {k.key: k for k, _r in found}.values():
        if linkable.related:
            mine = [r for k, r in found if k is linkable]
            models.prefetch_related_objects(mine, *linkable.related)
    names = "; ".join(linkable.label(r) for linkable, r in found[:5])
    raise ValidationError(
        f"“{typed}” could be more than one record ({names}): type it in full, or choose one "
        "from the list",
        code="several",
    )


@dataclass(frozen=True)
class LinkedRecord:
    """An item's linked record as one person may see it: its `label` and `url` when they may
    see the record, else only its `kind` ("action")."""

    kind: str
    visible: bool = False
    label: str = ""
    url: str = ""


def linked_records_for(user: User, items: Sequence[AgendaItem]) -> None:
    """Set `link` on each item: a `LinkedRecord` for the record it points to, as `user` may
    see it, or None when it points to nothing (or to a record since deleted).

    The records are read one query per kind of record (none when the items already hold them,
    from `prefetch_related("linked")`), and what `Linkable.related` names one query each, so a
    page asks the database the same number of times however many items it has.
    """
    field = AgendaItem._meta.get_field("linked")
    wanted: dict[int, set[int]] = {}
    for item in items:
        if item.linked_type_id is not None and not field.is_cached(item):
            wanted.setdefault(item.linked_type_id, set()).add(item.linked_id)
    loaded: dict[tuple[int, int], models.Model] = {}
    for type_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is not None:
            for pk, record in model._default_manager.in_bulk(ids).items():
                loaded[(type_id, pk)] = record
    for item in items:
        if item.linked_type_id is not None and not field.is_cached(item):
            field.set_cached_value(item, loaded.get((item.linked_type_id, item.linked_id)))

    by_kind: dict[str, list[models.Model]] = {}
    for item in items:
        if item.linked_type_id is not None and item.linked is not None:
            by_kind.setdefault(item.linked._meta.label_lower, []).append(item.linked)
    for key, records in by_kind.items():
        linkable = LINKABLE.get(key)
        if linkable is not None and linkable.related:
            models.prefetch_related_objects(records, *linkable.related)

    for item in items:
        record = item.linked if item.linked_type_id is not None else None
        if record is None:
            item.link = None
            continue
        kind = str(record._meta.verbose_name)
        linkable = LINKABLE.get(record._meta.label_lower)
        if linkable is None or not linkable.can_see(user, record):
            item.link = LinkedRecord(kind=kind)
            continue
        url = record.get_absolute_url() if hasattr(record, "get_absolute_url") else ""
        item.link = LinkedRecord(kind=kind, visible=True, label=linkable.label(record), url=url)


register_linkable(
    Action,
    heading="Actions of this group",
    records=lambda meeting: Action.objects.filter(group_id=meeting.group_id).order_by(
        "-created_at", "-pk"
    ),
    # Actions are the group's business, not children's records: their titles may be shown.
    label=lambda action: f"Action {action.pk}: {action.title}",
    can_see=lambda user, action: user.has_perm("hscb.see_action", action),
    related=("group",),
)


# Agenda items ---------------------------------------------------------------------------------


def item_save(
    *,
    meeting: Meeting,
    by: User,
    title: str,
    description: str = "",
    presenter: User | None = None,
    presenter_name: str = "",
    minutes_allotted: int | None = None,
    position: int | None = None,
    linked: models.Model | None = None,
    item: AgendaItem | None = None,
) -> AgendaItem:
    """Add an item to the agenda (or change `item`) at `position` (1 is first; by default last
    for a new item and where it was for a changed one), renumbering the others."""
    _refuse_if_cancelled(meeting)
    errors: dict[str, list[str]] = {}
    presenter_name = presenter_name.strip()
    if presenter is not None and presenter_name:
        errors["presenter_name"] = ["Choose a presenter from the list or type a name, not both"]
    if presenter is not None and not presenter.is_active:
        errors["presenter"] = ["Choose someone whose account is open"]
    if minutes_allotted is not None and not 1 <= minutes_allotted <= MAX_ITEM_MINUTES:
        errors["minutes_allotted"] = [
            f"The time allotted must be between 1 and {MAX_ITEM_MINUTES} minutes"
        ]
    if linked is not None:
        try:
            link_resolve(meeting, link_value(linked))
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
        others = list(meeting.items.exclude(pk=getattr(item, "pk", None)).order_by("order", "pk"))
        if position is None:
            position = len(others) + 1 if item is None else _position_of(item, meeting)
        if not 1 <= position <= len(others) + 1:
            raise ValidationError(
                {"position": [f"The position must be between 1 and {len(others) + 1}"]}
            )
        target = item or AgendaItem(meeting=meeting)
        target.title = title.strip()
        target.description = description.strip()
        target.presenter = presenter
        target.presenter_name = presenter_name
        target.minutes_allotted = minutes_allotted
        target.linked_type = ContentType.objects.get_for_model(linked) if linked else None
        target.linked_id = linked.pk if linked else None
        target.order = position
        # A changed item writes only what this form holds: the minutes may have been written
        # since the item was read.
        target.save(update_fields=None if item is None else ITEM_FIELDS)
        others.insert(position - 1, target)
        for number, other in enumerate(others, start=1):
            if other.order != number:
                other.order = number
                other.save(update_fields=["order"])
    return target


def _position_of(item: AgendaItem, meeting: Meeting) -> int:
    ordered = list(meeting.items.order_by("order", "pk").values_list("pk", flat=True))
    return ordered.index(item.pk) + 1


def item_minutes_record(*, item: AgendaItem, minutes: str, decisions: str, by: User) -> AgendaItem:
    """Write the minutes and decisions of an item, once its meeting has started."""
    meeting = item.meeting
    _refuse_if_cancelled(meeting)
    _refuse_before_start(meeting, "minutes", timezone.now())
    with transaction.atomic():
        item.minutes = minutes.strip()
        item.decisions = decisions.strip()
        item.save(update_fields=["minutes", "decisions"])
    return item


# Papers ---------------------------------------------------------------------------------------


def paper_add(*, item: AgendaItem, title: str, upload: UploadedFile, by: User) -> Paper:
    """Attach a PDF, Word or Excel paper to an item. The file is checked again here (type by
    name and first bytes, size under `PAPER_MAX_BYTES`), stored under a name that gives nothing
    away, and its original name kept for downloads."""
    _refuse_if_cancelled(item.meeting)
    try:
        validate_document(upload)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from error
    with transaction.atomic():
        paper = Paper(
            item=item,
            title=title.strip(),
            original_name=clean_file_name(upload.name or "", default="paper"),
            size=upload.size,
            uploaded_by=by,
        )
        paper.file = upload
        try:
            paper.save()
        except Exception:
            # The file reached storage before the row failed to save: leave nothing behind.
            if paper.file.name:
                paper.file.storage.delete(paper.file.name)
            raise
    return paper


def paper_delete(*, paper: Paper) -> None:
    """Remove a paper uploaded by mistake, and its file once the deletion is committed."""
    name, storage = paper.file.name, paper.file.storage
    with transaction.atomic():
        paper.delete()
        transaction.on_commit(lambda: storage.delete(name))


# Sending the papers ---------------------------------------------------------------------------


def papers_recipients(meeting: Meeting) -> list[User]:
    """Current members of the meeting's group with open accounts, each once, by surname."""
    people: dict[int, User] = {}
    memberships = (
        Membership.objects.current()
        .filter(group_id=meeting.group_id)
        .select_related("user__agency")
        .order_by("user__last_name", "user__first_name", "user__pk")
    )
    for membership in memberships:
        people.setdefault(membership.user_id, membership.user)
    return list(people.values())


def meeting_papers_send(*, meeting: Meeting, by: User) -> Meeting:
    """Ask for the agenda and papers to be emailed to the group's members. The email goes from a
    task once this commits; asking again later (after new papers) sends them again."""
    from hscb.tasks import send_meeting_papers

    _refuse_if_cancelled(meeting)
    if meeting.is_past:
        raise ValidationError("This meeting has ended, so its papers are no longer sent out")
    if not meeting.items.exists():
        raise ValidationError("Add at least one item to the agenda before sending the papers")
    if not papers_recipients(meeting):
        raise ValidationError(
            f"The {meeting.group.name} has no current members with an account to send to"
        )
    with transaction.atomic():
        meeting.papers_requested_at = timezone.now()
        meeting.save(update_fields=["papers_requested_at"])
        queue_after_commit(send_meeting_papers, meeting.pk)
    return meeting


def meeting_papers_email(*, meeting_pk: int) -> int:
    """Email the agenda and links to the papers, one email per member, for the latest request.

    The request is claimed first with a conditional update, so a second run of the task sends
    nothing. If an email cannot be sent the claim is given back and the error raised, so the
    task's retry sends the papers again (to everyone: some may get them twice, none miss them).
    Returns the number of emails sent.
    """
    row = (
        Meeting.objects.filter(pk=meeting_pk)
        .exclude(status=MeetingStatus.CANCELLED)
        .values("papers_requested_at", "papers_sent_at")
        .first()
    )
    if row is None or row["papers_requested_at"] is None:
        return 0
    requested, previous = row["papers_requested_at"], row["papers_sent_at"]
    claimed = (
        Meeting.objects.filter(pk=meeting_pk, papers_requested_at=requested)
        .exclude(papers_sent_at=requested)
        .update(papers_sent_at=requested)
    )
    if not claimed:
        return 0
    meeting = Meeting.objects.select_related("group").get(pk=meeting_pk)
    items = agenda_of(meeting)
    site = settings.SITE_URL
    context = {
        "meeting": meeting,
        "items": items,
        "when": describe_meeting(meeting),
        "meeting_url": site + meeting.get_absolute_url(),
        "pdf_url": site + reverse("meeting_agenda_pdf", kwargs={"pk": meeting.pk}),
        "paper_count": sum(len(item.paper_list) for item in items),
    }
    sent = 0
    try:
        for person in papers_recipients(meeting):
            send_templated_email(
                "meeting_papers", to=[person.email], context={**context, "person": person}
            )
            sent += 1
    except Exception:
        Meeting.objects.filter(pk=meeting_pk, papers_sent_at=requested).update(
            papers_sent_at=previous
        )
        raise
    return sent
