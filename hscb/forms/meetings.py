"""Forms for meetings. They check what was typed; the rules live in hscb.services.meetings and
hscb.services.attendance."""

from __future__ import annotations

import datetime
import re

import django_filters
from crispy_forms_gds.layout import Field, Layout, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import slug_re
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django_filters import fields as filter_fields

from hscb.forms.board import GovukDateField, GovukForm, PersonField, QuickSelect
from hscb.forms.layout import Markup
from hscb.lib.uploads import ACCEPT, validate_document
from hscb.models import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Group,
    Meeting,
    Membership,
    User,
)
from hscb.services import meetings as services
from hscb.services.attendance import AttendanceRow
from hscb.services.meetings import MeetingOverlaps

TIME_FORMAT_MESSAGE = "like 10:30 or 2pm"
_TIME = re.compile(
    r"(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2}))?\s*(?:(?P<half>[ap])\.?\s*m\.?)?", re.IGNORECASE
)


def parse_time(text: str) -> datetime.time:
    """A time of day as people type it: "10:30", "10.30", "14:15", "2pm", "2:15pm", "2.15 p.m.",
    "midday". A bare number ("2") is refused: it could be morning or afternoon."""
    cleaned = " ".join(text.lower().split())
    if cleaned in {"midday", "noon", "12 noon"}:
        return datetime.time(12)
    match = _TIME.fullmatch(cleaned)
    if match is None:
        raise ValueError(f"Not a time: {text!r}")
    hour, minute, half = int(match["hour"]), int(match["minute"] or 0), match["half"]
    if half:
        if not 1 <= hour <= 12:
            raise ValueError(f"Not a time: {text!r}")
        hour = hour % 12 + (12 if half == "p" else 0)
    elif match["minute"] is None or hour > 23:
        raise ValueError(f"Not a time: {text!r}")
    if minute > 59:
        raise ValueError(f"Not a time: {text!r}")
    return datetime.time(hour, minute)


def time_text(moment: datetime.datetime) -> str:
    """A stored time as London wall-clock text the time field reads back: "14:15"."""
    return f"{timezone.localtime(moment):%H:%M}"


class TimeTextField(forms.CharField):
    """A time typed as text, read by `parse_time`."""

    def __init__(self, *, what: str, **kwargs) -> None:
        self.what = what
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("widget", forms.TextInput(attrs={"spellcheck": "false"}))
        kwargs.setdefault(
            "error_messages",
            {
                "required": f"Enter the {what}",
                "max_length": f"Enter the {what} {TIME_FORMAT_MESSAGE}",
            },
        )
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        try:
            return parse_time(text)
        except ValueError:
            raise ValidationError(
                f"Enter the {self.what} as a real time, {TIME_FORMAT_MESSAGE}", code="invalid"
            ) from None


def _people(people: QuerySet[User] | None = None) -> list[tuple[str, str]]:
    """Open accounts as select options, "Name, Agency", by surname."""
    people = (people if people is not None else User.objects.all()).filter(is_active=True)
    return [
        (str(u.pk), f"{u}, {u.agency.label}" if u.agency_id else str(u))
        for u in people.select_related("agency").order_by("last_name", "first_name", "pk")
    ]


def _likely_people(group: Group | None = None) -> QuerySet[User]:
    """Who a select offers first: the group's current members, if a group is given, and the
    business unit's staff. Anyone else is found by the field's search."""
    likely = Q(is_staff=True)
    if group is not None:
        seated = Membership.objects.current().filter(group=group).values("user_id")
        likely |= Q(pk__in=seated)
    return User.objects.filter(likely)


# Scheduling -----------------------------------------------------------------------------------


class MeetingForm(GovukForm, forms.Form):
    """Schedule a meeting or change its details."""

    submit_label = "Save meeting"

    group = forms.ModelChoiceField(
        queryset=Group.objects.none(),
        empty_label="Choose a group",
        error_messages={
            "required": "Choose the group that is meeting",
            "invalid_choice": "Choose a group from the list",
        },
    )
    title = forms.CharField(
        label="Title (optional)",
        required=False,
        max_length=200,
        help_text="Leave empty for an ordinary meeting. For example, “Extraordinary meeting”.",
        error_messages={"max_length": "The title must be 200 characters or fewer"},
    )
    # The year is kept to this century: a meeting in the year 9999 would run off the end of the
    # calendar when its agenda's times are added up.
    date = GovukDateField(
        what="the date of the meeting", label="Date", name_parts=True, years=(2000, 2099)
    )
    start_time = TimeTextField(
        what="start time", label="Start time", help_text="For example, 10:30 or 2pm"
    )
    end_time = TimeTextField(
        what="end time", label="End time", help_text="For example, 12:30 or 4pm"
    )
    venue = forms.CharField(
        required=False,
        max_length=300,
        help_text="The room and building. Leave empty for a meeting held only online.",
        error_messages={"max_length": "The venue must be 300 characters or fewer"},
    )
    online_link = forms.URLField(
        label="Online meeting link (optional)",
        required=False,
        max_length=500,
        assume_scheme="https",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "url"}),
        help_text="The address people use to join, starting https://",
        error_messages={
            "invalid": "Enter the link as a web address, like https://meet.example.org/abc",
            "max_length": "The link must be 500 characters or fewer",
        },
    )
    already_held = forms.BooleanField(
        label="This meeting has already taken place",
        required=False,
        help_text="Tick to record a meeting that was held before it was added here.",
    )
    schedule_anyway = forms.BooleanField(label="Schedule it anyway", required=False)

    def __init__(self, *args, meeting: Meeting | None = None, **kwargs) -> None:
        self.meeting = meeting
        if meeting is not None and "initial" not in kwargs:
            starts = timezone.localtime(meeting.starts_at)
            kwargs["initial"] = {
                "group": meeting.group_id,
                "title": meeting.title,
                "date": starts.date(),
                "start_time": time_text(meeting.starts_at),
                "end_time": time_text(meeting.ends_at),
                "venue": meeting.venue,
                "online_link": meeting.online_link,
                "already_held": meeting.is_past,
            }
        super().__init__(*args, **kwargs)
        groups = Group.objects.active()
        if meeting is not None:
            groups = Group.objects.filter(pk=meeting.group_id) | groups
        self.fields["group"].queryset = groups.order_by("order", "name")
        self.overlaps: list[Meeting] = []
        self._layout()

    def _layout(self) -> None:
        fields = [
            Field.select("group"),
            Field.text("title"),
            "date",
            Field.text("start_time", field_width=5),
            Field.text("end_time", field_width=5),
            Field.text("venue"),
            Field.text("online_link"),
            Field.checkbox("already_held"),
        ]
        if self.overlaps or self.data.get("schedule_anyway"):
            fields.append(Field.checkbox("schedule_anyway"))
        self.helper.layout = Layout(*fields)

    def flag_overlaps(self, error: MeetingOverlaps) -> None:
        """Show the meetings this one would overlap, and the box to schedule it anyway."""
        self.overlaps = error.meetings
        self.add_error(
            "schedule_anyway",
            f"{error.messages[0]}. Change the date or time, or tick “Schedule it anyway”",
        )
        self._layout()

    def schedule(self, *, by: User) -> Meeting:
        data = self.cleaned_data
        return services.meeting_schedule(
            by=by,
            meeting=self.meeting,
            group=data["group"],
            title=data["title"],
            date=data["date"],
            start=data["start_time"],
            end=data["end_time"],
            venue=data["venue"],
            online_link=data["online_link"],
            recording_past=data["already_held"],
            allow_overlap=data["schedule_anyway"],
        )


class ConfirmForm(GovukForm, forms.Form):
    """A form with nothing to fill in but a button: for confirmation pages."""

    def __init__(self, *args, submit_label: str, warning: bool = False, **kwargs) -> None:
        self.submit_label = submit_label
        super().__init__(*args, **kwargs)
        if warning:
            self.helper.inputs = [Submit("submit", submit_label, css_class="govuk-button--warning")]


# Agenda items and papers ----------------------------------------------------------------------


class ItemForm(GovukForm, forms.Form):
    """An agenda item: what, who presents it, for how long, where it sits, what it is about."""

    submit_label = "Save item"

    title = forms.CharField(
        max_length=200,
        error_messages={
            "required": "Enter the title of the item",
            "max_length": "The title must be 200 characters or fewer",
        },
    )
    description = forms.CharField(
        label="Description (optional)",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": "The description must be 4,000 characters or fewer"},
    )
    presenter = PersonField(
        label="Presenter (optional)",
        required=False,
        empty_value=None,
        help_text="Someone with an account on this system. The list has the group's members "
        "and the board's officers; type a name to find anyone else.",
        error_messages={"invalid_choice": "Choose a presenter from the list"},
    )
    presenter_name = forms.CharField(
        label="Or the name of a presenter without an account",
        required=False,
        max_length=150,
        help_text="For example, a guest speaker. Leave empty if you chose a presenter above.",
        error_messages={"max_length": "The name must be 150 characters or fewer"},
    )
    minutes_allotted = forms.IntegerField(
        label="Time allotted, in minutes",
        min_value=1,
        max_value=services.MAX_ITEM_MINUTES,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
        error_messages={
            "required": "Enter the time allotted, in minutes",
            "invalid": "Enter the time allotted as a whole number of minutes, like 15",
            "min_value": "The time allotted must be at least 1 minute",
            "max_value": f"The time allotted must be {services.MAX_ITEM_MINUTES} minutes or fewer",
        },
    )
    position = forms.IntegerField(
        label="Position on the agenda (optional)",
        required=False,
        min_value=1,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
        error_messages={
            "invalid": "Enter the position as a whole number, like 2",
            "min_value": "The position must be 1 or more",
        },
    )
    linked = forms.ChoiceField(
        label="Linked record (optional)",
        required=False,
        help_text="A record this item is about.",
        error_messages={"invalid_choice": "Choose a linked record from the list"},
    )
    linked_reference = forms.CharField(
        label="Or the reference of a record not in the list (optional)",
        required=False,
        max_length=40,
        help_text="Like IO-0012, a case's reference, or an action's number.",
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
        error_messages={"max_length": "A reference is 40 characters or fewer"},
    )

    def __init__(self, *args, meeting: Meeting, item: AgendaItem | None = None, **kwargs) -> None:
        self.meeting, self.item = meeting, item
        count = meeting.items.count()
        last = count if item is not None else count + 1
        if item is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "title": item.title,
                "description": item.description,
                "presenter": item.presenter_id,
                "presenter_name": item.presenter_name,
                "minutes_allotted": item.minutes_allotted,
                "linked": (
                    f"{item.linked_type.app_label}.{item.linked_type.model}:{item.linked_id}"
                    if item.linked_type_id
                    else ""
                ),
            }
        super().__init__(*args, **kwargs)
        self.fields["presenter"].choices = [
            ("", "Nobody chosen"),
            *_people(_likely_people(meeting.group)),
        ]
        self.fields["position"].validators.append(_max_position(last))
        where = "last" if item is None else "where it is"
        self.fields[
            "position"
        ].help_text = f"A number from 1 (first) to {last}. Leave empty to put it {where}."
        self.fields["linked"].choices = [
            ("", "No linked record"),
            *services.link_choices(meeting, include=item.linked if item is not None else None),
        ]
        self.fields["linked"].help_text = (
            f"A record this item is about. The list has the {services.LINK_CHOICES} newest "
            "actions of the group and the first records of each kind waiting for it."
        )
        self.helper.layout = Layout(
            Field.text("title"),
            Field.textarea("description", rows=4),
            Field.select("presenter"),
            Field.text("presenter_name"),
            Field.text("minutes_allotted", field_width=3),
            Field.text("position", field_width=3),
            Field.select("linked"),
            Field.text("linked_reference", field_width=20),
        )

    def clean_linked(self):
        value = self.cleaned_data.get("linked") or ""
        try:
            return services.link_resolve(self.meeting, value)
        except ValidationError as error:
            raise ValidationError(error.message_dict["linked"]) from None

    def clean_linked_reference(self):
        typed = self.cleaned_data.get("linked_reference") or ""
        return services.link_find(self.meeting, typed) if typed.strip() else None

    def clean(self):
        cleaned = super().clean()
        chosen, typed = cleaned.get("linked"), cleaned.pop("linked_reference", None)
        if typed is not None and "linked" not in self.errors:
            # On an item already linked, the list still holds its record: a reference typed
            # replaces it.
            kept = self.item is not None and chosen is not None and chosen == self.item.linked
            if chosen is not None and chosen != typed and not kept:
                self.add_error(
                    "linked_reference",
                    "Choose a record from the list or type a reference, not both",
                )
            else:
                cleaned["linked"] = typed
        return cleaned

    def save(self, *, by: User) -> AgendaItem:
        data = self.cleaned_data
        presenter = None
        if data["presenter"] is not None:
            presenter = User.objects.get(pk=data["presenter"])
        return services.item_save(
            meeting=self.meeting,
            item=self.item,
            by=by,
            title=data["title"],
            description=data["description"],
            presenter=presenter,
            presenter_name=data["presenter_name"],
            minutes_allotted=data["minutes_allotted"],
            position=data["position"],
            linked=data["linked"],
        )


def _max_position(last: int):
    def check(value: int) -> None:
        if value is not None and value > last:
            raise ValidationError(f"The position must be between 1 and {last}", code="max")

    return check


class PaperForm(GovukForm, forms.Form):
    submit_label = "Upload paper"

    title = forms.CharField(
        max_length=200,
        help_text="As it should appear on the agenda, for example “Quarterly performance report”.",
        error_messages={
            "required": "Enter the title of the paper",
            "max_length": "The title must be 200 characters or fewer",
        },
    )
    file = forms.FileField(
        max_length=255,
        validators=[validate_document],
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        error_messages={
            "required": "Select a file",
            "invalid": "Select a file",
            "missing": "Select a file",
            "empty": "The selected file is empty",
            "max_length": "The file's name must be 255 characters or fewer. Rename it and "
            "upload it again",
        },
    )

    def __init__(self, *args, limit: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = f"A PDF, Word or Excel file, smaller than {limit}."


# Minutes --------------------------------------------------------------------------------------


class MinutesForm(GovukForm, forms.Form):
    submit_label = "Save minutes"

    minutes = forms.CharField(
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="What was discussed. Leave a blank line between paragraphs.",
        error_messages={"max_length": "The minutes must be 20,000 characters or fewer"},
    )
    decisions = forms.CharField(
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What the group decided, one decision to a line.",
        error_messages={"max_length": "The decisions must be 8,000 characters or fewer"},
    )

    def clean(self):
        cleaned = super().clean()
        empty = not (cleaned.get("minutes") or "").strip()
        empty = empty and not (cleaned.get("decisions") or "").strip()
        if empty and not self.errors:
            self.add_error("minutes", "Enter the minutes, the decisions, or both")
        return cleaned


# Attendance -----------------------------------------------------------------------------------


class AttendanceForm(GovukForm, forms.Form):
    """A row for each member of the group on the meeting's day (their status and, optionally,
    who stood in for them), and a few rows for others who attended."""

    submit_label = "Save attendance"
    spare_guest_rows = 3

    def __init__(
        self,
        *args,
        meeting: Meeting,
        seats: dict[int, Membership],
        attendance: list[Attendance],
        **kwargs,
    ) -> None:
        self.meeting, self.seats = meeting, seats
        saved = {a.person_id: a for a in attendance}
        substitutes = {a.substitute_for_id: a.person_id for a in attendance if a.substitute_for_id}
        guests = [
            a.person_id for a in attendance if a.person_id not in seats and not a.substitute_for_id
        ]
        initial: dict[str, object] = {}
        for pk in seats:
            if pk in saved and saved[pk].substitute_for_id is None:
                initial[f"status_{pk}"] = saved[pk].status
            if pk in substitutes:
                initial[f"substitute_{pk}"] = str(substitutes[pk])
        for number, pk in enumerate(guests, start=1):
            initial[f"guest_{number}"] = str(pk)
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        # A substitute stands in for a member's agency, so is chosen from that agency's staff.
        # Other attendees are not members: the business unit's staff are offered, and anyone
        # else is found by the field's search.
        people = _people(_likely_people())
        agencies = {seat.agency_id for seat in seats.values()}
        by_agency: dict[int, list[tuple[str, str]]] = {}
        for person in (
            User.objects.filter(is_active=True, agency_id__in=agencies)
            .select_related("agency")
            .order_by("last_name", "first_name", "pk")
        ):
            by_agency.setdefault(person.agency_id, []).append(
                (str(person.pk), f"{person}, {person.agency.label}")
            )
        # Markup, not crispy's HTML(): names are written out as typed, never run as a template.
        layout: list = [Markup(mark_safe('<h2 class="govuk-heading-m">Members</h2>'))]
        if not seats:
            layout.append(
                Markup(
                    format_html(
                        '<p class="govuk-body">The {} had no members on the day of the '
                        "meeting.</p>",
                        meeting.group.name,
                    )
                )
            )
        for pk, seat in seats.items():
            name = f"{seat.user}, {seat.agency.name}"
            status = forms.ChoiceField(
                widget=forms.RadioSelect,
                # crispy-forms-gds writes labels out unescaped: escape the names here.
                label=escape(name),
                choices=AttendanceStatus.choices,
                error_messages={
                    "required": f"Choose whether {seat.user} was present, sent apologies or "
                    "was absent",
                    "invalid_choice": f"Choose whether {seat.user} was present, sent apologies "
                    "or was absent",
                },
            )
            substitute = forms.TypedChoiceField(
                widget=QuickSelect,
                label=escape(f"Substitute who attended in place of {seat.user} (optional)"),
                help_text=escape(f"Someone from {seat.agency.name}."),
                required=False,
                coerce=int,
                empty_value=None,
                choices=[("", "Nobody"), *by_agency.get(seat.agency_id, [])],
                error_messages={"invalid_choice": "Choose a substitute from the list"},
            )
            self.fields[f"status_{pk}"] = status
            self.fields[f"substitute_{pk}"] = substitute
            layout += [
                Field.radios(f"status_{pk}", legend_size="s", small=True),
                Field.select(f"substitute_{pk}"),
            ]
        layout += [
            Markup(mark_safe('<h2 class="govuk-heading-m">Others who attended</h2>')),
            Markup(
                mark_safe(
                    '<p class="govuk-body">Advisers, guests and officers who were present and '
                    "are not members of the group.</p>"
                )
            ),
        ]
        rows = len(guests) + self.spare_guest_rows
        for number in range(1, rows + 1):
            self.fields[f"guest_{number}"] = PersonField(
                label=f"Other attendee {number} (optional)",
                help_text="Type a name to find someone with an account." if number == 1 else "",
                required=False,
                empty_value=None,
                choices=[("", "Nobody"), *people],
                error_messages={"invalid_choice": "Choose an attendee from the list"},
            )
            layout.append(Field.select(f"guest_{number}"))
        self.helper.layout = Layout(*layout)
        self.link_choices_to_their_first()

    def rows(self) -> list[AttendanceRow]:
        """The rows to record, named by the form field each came from."""
        data = self.cleaned_data
        wanted = set(self.seats)
        for name, value in data.items():
            if value is not None and name.startswith(("substitute_", "guest_")):
                wanted.add(value)
        users = User.objects.in_bulk(wanted)
        rows = []
        for pk in self.seats:
            rows.append(
                AttendanceRow(person=users[pk], status=data[f"status_{pk}"], key=f"status_{pk}")
            )
            substitute = data.get(f"substitute_{pk}")
            if substitute is not None:
                rows.append(
                    AttendanceRow(
                        person=users[substitute],
                        status=AttendanceStatus.PRESENT,
                        substitute_for=users[pk],
                        key=f"substitute_{pk}",
                    )
                )
        for name, value in data.items():
            if name.startswith("guest_") and value is not None:
                rows.append(
                    AttendanceRow(person=users[value], status=AttendanceStatus.PRESENT, key=name)
                )
        return rows


# The forward plan ----------------------------------------------------------------------------


class PlanFilterForm(GovukForm, forms.Form):
    submit_label = "Show meetings"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper.form_method = "get"


class GroupBySlugField(filter_fields.ModelChoiceField):
    """A group named by its slug (`?group=improving-outcomes`), as every link to the forward
    plan gives it. Anything that cannot be a slug is not on the list, and is never looked up."""

    def to_python(self, value):
        if value not in self.empty_values and not slug_re.fullmatch(str(value)):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class GroupBySlugFilter(django_filters.ModelChoiceFilter):
    field_class = GroupBySlugField


class MeetingFilter(django_filters.FilterSet):
    """Narrow the forward plan to one of the groups the user follows, named by its slug. `when`
    (coming or past meetings) is chosen by the view; the form carries it so that filtering
    keeps it."""

    group = GroupBySlugFilter(
        queryset=Group.objects.none(),
        to_field_name="slug",
        empty_label="All your groups",
        label="Group",
        error_messages={"invalid_choice": "Choose a group from the list"},
    )
    when = django_filters.CharFilter(method="keep_queryset", widget=forms.HiddenInput)

    class Meta:
        model = Meeting
        fields = ["group", "when"]
        form = PlanFilterForm

    def __init__(self, *args, groups: QuerySet[Group], when: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.filters["group"].queryset = groups
        self.form.fields["group"].queryset = groups
        self.form.fields["when"].initial = when
        self.form.helper.layout = Layout(Field.select("group"), "when")

    def keep_queryset(self, queryset: QuerySet[Meeting], name: str, value: str):
        return queryset
