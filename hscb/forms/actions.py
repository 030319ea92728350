"""Forms for actions. They check what was typed; the services check the board's rules."""

from __future__ import annotations

from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.core.exceptions import ValidationError

from hscb.forms.board import GovukDateField, GovukForm, PersonField
from hscb.models import Action, ActionStatus, AgendaItem, Meeting, User
from hscb.services.actions import allowed_statuses, check_due_date

NOTE_MAX = 4000
UNCHANGED = "unchanged"

# How each move reads on the update form, by the status it goes to and the status it is from.
STATUS_LABELS = {
    ActionStatus.IN_PROGRESS: "In progress: work has started",
    ActionStatus.DONE: "Done",
    ActionStatus.CANCELLED: "Cancelled: it is no longer needed (say why in the note)",
}
REOPEN_LABEL = "Reopen it: back to in progress"
OUT_OF_DATE = "This form was out of date. Check the action's status and submit your update again."


def _due_date_field() -> GovukDateField:
    return GovukDateField(what="the due date", label="Due date", require_all_fields=False)


class OwnerField(PersonField):
    """A person: one of the group's members from the select, or anyone else with an open
    account found by its search; cleans to a User."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("label", "Owner")
        kwargs.setdefault(
            "help_text",
            "The person who will make sure it is done. The list has the group's members; "
            "type a name to find anyone else with an account.",
        )
        kwargs.setdefault(
            "error_messages",
            {
                "required": "Choose the owner of the action",
                "invalid_choice": "Choose the owner from the list",
            },
        )
        super().__init__(**kwargs)

    def clean(self, value):
        pk = super().clean(value)
        owner = User.objects.filter(pk=pk).first() if pk not in (None, "") else None
        if owner is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return owner


def _checked_due_date(value):
    """The services' rule for a new due date, checked here too so that every problem with the
    form is shown at once."""
    try:
        check_due_date(value)
    except ValidationError as error:
        raise ValidationError(error.message_dict["due_date"]) from None
    return value


def _note_field(**kwargs) -> forms.CharField:
    return forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=NOTE_MAX,
        error_messages={
            "required": "Enter a progress note",
            "max_length": "The progress note must be 4,000 characters or fewer",
        },
        **kwargs,
    )


class ActionCreateForm(GovukForm, forms.Form):
    submit_label = "Save action"

    title = forms.CharField(
        label="Action",
        max_length=300,
        help_text="What is to be done, in a sentence.",
        error_messages={
            "required": "Enter the action",
            "max_length": "The action must be 300 characters or fewer",
        },
    )
    description = forms.CharField(
        label="Details (optional)",
        # crispy-forms-gds needs a hint on a textarea with a character count.
        help_text="Anything the owner needs to know: background, who else is involved.",
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": "The details must be 4,000 characters or fewer"},
    )
    owner = OwnerField()
    due_date = _due_date_field()
    agenda_item = forms.ModelChoiceField(
        label="Agenda item it arose from (optional)",
        queryset=AgendaItem.objects.none(),
        required=False,
        empty_label="None",
        error_messages={"invalid_choice": "Choose an item on this meeting's agenda"},
    )

    def __init__(self, *args, meeting: Meeting, owner_choices: list, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = owner_choices
        self.fields["agenda_item"].queryset = meeting.items.all()
        self.helper.layout = Layout(
            Field.text("title"),
            Field.textarea("description", rows=4, max_characters=NOTE_MAX),
            Field.select("owner"),
            Field("due_date"),
            Field.select("agenda_item"),
        )

    def clean_due_date(self):
        return _checked_due_date(self.cleaned_data["due_date"])


def status_choices(status: str) -> list[tuple[str, str]]:
    """The choices for a new status: no change, then those the action may move to."""
    label = ActionStatus(status).label.lower() if status in ActionStatus.values else status
    choices = [(UNCHANGED, f"No change: it stays {label}")]
    for target in allowed_statuses(status):
        if status in (ActionStatus.DONE, ActionStatus.CANCELLED):
            choices.append((target, REOPEN_LABEL))
        else:
            choices.append((target, STATUS_LABELS[target]))
    return choices


class ActionUpdateForm(GovukForm, forms.Form):
    """A progress note with every update; a new status; for chairs and the secretariat, a new
    due date or owner. `seen_status` carries the status the person saw, so that a change made
    by someone else meanwhile is caught."""

    submit_label = "Save update"

    seen_status = forms.ChoiceField(widget=forms.HiddenInput, choices=ActionStatus.choices)
    status = forms.ChoiceField(
        label="Status",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the action's status",
            "invalid_choice": "Choose one of the statuses shown",
        },
    )
    note = _note_field(
        label="Progress note",
        help_text="What has been done, what is still to do, or why the action is cancelled.",
    )

    def __init__(
        self,
        *args,
        action: Action,
        can_reassign: bool = False,
        owner_choices: list | None = None,
        **kwargs,
    ) -> None:
        kwargs.setdefault(
            "initial",
            {
                "seen_status": action.status,
                "status": UNCHANGED,
                "due_date": action.due_date,
                "owner": action.owner_id,
            },
        )
        super().__init__(*args, **kwargs)
        self.action = action
        self.fields["status"].choices = status_choices(action.status)
        fields = [
            Field("seen_status"),
            Field.radios("status", legend_size=Size.SMALL),
            Field.textarea("note", rows=5, max_characters=NOTE_MAX),
        ]
        if can_reassign:
            self.fields["due_date"] = _due_date_field()
            self.fields["owner"] = OwnerField(choices=owner_choices or [])
            fields += [Field("due_date"), Field.select("owner")]
        self.helper.layout = Layout(*fields)

    def full_clean(self) -> None:
        """An error in the hidden field would show nowhere: say so above the form instead, and
        send the current status with the form shown again."""
        super().full_clean()
        if self.is_bound and "seen_status" in self._errors:
            del self._errors["seen_status"]
            self.add_error(None, OUT_OF_DATE)
            self.show_current_status()

    def clean_due_date(self):
        due_date = self.cleaned_data["due_date"]
        if due_date != self.action.due_date:  # an overdue action keeps its date unless moved
            _checked_due_date(due_date)
        return due_date

    def clean_status(self) -> str | None:
        status = self.cleaned_data["status"]
        return None if status == UNCHANGED else status

    def show_current_status(self) -> None:
        """After a clash, the form is shown again for the action as it now is: the status it
        shows and the one it sends back are the current one."""
        self.data = self.data.copy()
        self.data[self.add_prefix("seen_status")] = self.action.status
        self.fields["status"].choices = status_choices(self.action.status)
