"""django-filter FilterSets for the board core's lists. Each renders as a GOV.UK form (GET)."""

from __future__ import annotations

import django_filters
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout
from django import forms
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone

from hscb.forms.board import PeopleSelect, QuickSelect, is_record_number
from hscb.models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    Action,
    ActionStatus,
    Group,
    Meeting,
    Membership,
    User,
)
from hscb.selectors.people import person_label

# "Current" (open or in progress) is what a chair usually wants; "any" shows every action.
STATUS_CHOICES = [
    ("current", "Open or in progress"),
    (ActionStatus.OPEN, "Open"),
    (ActionStatus.IN_PROGRESS, "In progress"),
    ("closed", "Done or cancelled"),
    (ActionStatus.DONE, "Done"),
    (ActionStatus.CANCELLED, "Cancelled"),
    ("any", "Any status"),
]


def _filter_status(queryset: QuerySet[Action], name: str, value: str) -> QuerySet[Action]:
    if value == "current":
        return queryset.filter(status__in=OPEN_STATUSES)
    if value == "closed":
        return queryset.filter(status__in=CLOSED_STATUSES)
    if value in ActionStatus.values:
        return queryset.filter(status=value)
    return queryset


class FilterForm(forms.Form):
    """A list's filters: GET, no browser validation, a text box for a search, a select for each
    choice, a checkbox for a yes-or-no, and one button."""

    button_label = "Apply filters"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.form_method = "get"
        self.helper.attrs = {"novalidate": ""}
        fields = []
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.CheckboxInput):
                fields.append(Field.checkbox(name, small=True))
            elif isinstance(field.widget, forms.Select):
                fields.append(Field.select(name, css_class="govuk-!-width-full"))
            else:
                fields.append(Field.text(name))
        self.helper.layout = Layout(
            *fields, Button("apply", self.button_label, css_class="govuk-button--secondary")
        )


class SearchFilterForm(FilterForm):
    button_label = "Search"


class _WithDefaults(django_filters.FilterSet):
    """A FilterSet whose empty fields take the defaults in `defaults`."""

    defaults: dict[str, str] = {}

    def __init__(self, data: QueryDict | None = None, *args, **kwargs) -> None:
        data = data.copy() if data is not None else QueryDict(mutable=True)
        for name, value in self.defaults.items():
            if not data.get(name):
                data[name] = value
        super().__init__(data, *args, **kwargs)


class MyActionFilter(_WithDefaults):
    """The filters on "Your actions": by status."""

    status = django_filters.ChoiceFilter(
        label="Status", choices=STATUS_CHOICES, method=_filter_status, empty_label=None
    )
    defaults = {"status": "any"}

    class Meta:
        model = Action
        fields = ["status"]
        form = FilterForm


# The meeting filter offers the group's latest meetings with actions, this many.
MEETING_CHOICES = 24


class OwnerFilter(django_filters.ModelChoiceFilter):
    """Any person who owns one of the group's actions. The select offers the group's current
    members; its autocomplete finds any other owner (`PeopleSelect`)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", PeopleSelect)
        super().__init__(*args, **kwargs)


class GroupActionFilter(_WithDefaults):
    """The filters on a group's actions: status, owner, overdue only and meeting of origin.
    Owners and meetings offered are those of the group's own actions."""

    status = django_filters.ChoiceFilter(
        label="Status", choices=STATUS_CHOICES, method=_filter_status, empty_label=None
    )
    owner = OwnerFilter(label="Owner", queryset=User.objects.none(), empty_label="Anyone")
    meeting = django_filters.ModelChoiceFilter(
        label="Meeting it arose from", queryset=Meeting.objects.none(), empty_label="Any meeting"
    )
    overdue = django_filters.BooleanFilter(
        label="Overdue only", method="filter_overdue", widget=forms.CheckboxInput
    )
    defaults = {"status": "current"}

    class Meta:
        model = Action
        fields = ["status", "owner", "meeting", "overdue"]
        form = FilterForm

    def __init__(self, data: QueryDict | None = None, *args, group: Group, **kwargs) -> None:
        super().__init__(data, *args, **kwargs)
        # What may be chosen: any owner, any meeting, of the group's actions (checked on the one
        # chosen). What is offered: a fixed number, so the form does not grow with the years.
        of_group = Action.objects.filter(group=group)
        self.filters["owner"].queryset = User.objects.filter(pk__in=of_group.values("owner_id"))
        self.filters["meeting"].queryset = Meeting.objects.filter(
            pk__in=of_group.values("meeting_id")
        ).select_related("group")
        members = (
            User.objects.filter(
                is_active=True,
                pk__in=Membership.objects.current().filter(group=group).values("user_id"),
            )
            .select_related("agency")
            .order_by("last_name", "first_name", "pk")
        )
        fields = self.form.fields
        # An owner named in the address is shown again only if they own one of these actions.
        fields["owner"].widget.allowed = self.filters["owner"].queryset
        fields["owner"].widget.choices = [
            ("", "Anyone"),
            (f"Members of the {group.name}", [(u.pk, person_label(u)) for u in members]),
        ]
        latest = self.filters["meeting"].queryset.order_by("-starts_at", "-pk")[:MEETING_CHOICES]
        chosen = self.form["meeting"].value()
        if is_record_number(chosen):
            latest = list(latest) + list(
                self.filters["meeting"]
                .queryset.filter(pk=int(chosen))
                .exclude(pk__in=[m.pk for m in latest])
            )
        fields["meeting"].widget = QuickSelect(
            choices=[("", "Any meeting"), *((m.pk, str(m)) for m in latest)]
        )
        fields["meeting"].help_text = (
            f"The {MEETING_CHOICES} latest meetings with actions. For an older meeting, "
            "its own page lists the actions it agreed."
        )

    def filter_overdue(self, queryset: QuerySet[Action], name: str, value: bool):
        if value:
            return queryset.overdue(timezone.localdate())
        return queryset
