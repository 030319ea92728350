"""Forms for register issues, their progress and the good-practice register. They check what was
typed; `subgroups.services.register` checks the subgroup's rules (multi-agency issues only, a
review date to come, the moves of status an issue may make)."""

from __future__ import annotations

import django_filters
from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.db.models import Q, QuerySet
from django_filters import fields as filter_fields

from hscb.filters import SearchFilterForm
from hscb.forms.actions import OwnerField
from hscb.forms.agencies import (
    AgencyNamesField,
    OfferedAgencies,
    RecordNamesField,
    find_named,
    offer_agencies,
    taking_part,
    ticked_and_typed,
)
from hscb.forms.board import (
    ChoiceOfRecord,
    GovukDateField,
    GovukForm,
    OfferedRecords,
    offer_records,
    text_field,
)
from hscb.models import Agency, Priority
from subgroups.models import GoodPractice, GoodPracticeScope, Issue, IssueSource, IssueStatus
from subgroups.services.register import MOVES, TEXT_LIMIT

TITLE_MAX = 200
LONG_TEXT_MAX = 8000
UNCHANGED = "unchanged"

LIKELIHOOD = [
    (1, "Rare", "It may happen only in exceptional circumstances."),
    (2, "Unlikely", "It could happen at some time, but is not expected to."),
    (3, "Possible", "It might happen at some time."),
    (4, "Likely", "It will probably happen in most circumstances."),
    (5, "Almost certain", "It is expected to happen, or is happening now."),
]
IMPACT = [
    (1, "Negligible", "Little or no effect on children's safety or outcomes."),
    (2, "Minor", "A small effect on a few children, quickly put right."),
    (3, "Moderate", "A noticeable effect on children's safety or outcomes."),
    (4, "Major", "Serious harm to children is possible, or many children are affected."),
    (5, "Severe", "A child could die or be seriously harmed, or services fail across the county."),
]

# How each move reads on the progress form, by the status it goes to.
MOVE_LABELS = {
    IssueStatus.MONITORING: "Monitoring: improvements are in place and the group is watching "
    "whether they work",
    IssueStatus.RESOLVED: "Resolved: the improvement worked",
    IssueStatus.CLOSED: "Closed: take it off the live register",
    IssueStatus.OPEN: "Reopen it: the issue needs work again (give the reason in the update)",
}
OUT_OF_DATE = (
    "This form was out of date. Check the issue's status and submit your update again: "
    "nothing has been saved."
)


def _scale(levels: list[tuple[int, str, str]]) -> list[Choice]:
    return [Choice(number, f"{number}: {word}", hint=hint) for number, word, hint in levels]


def _text(
    label: str,
    *,
    max_length: int,
    required: str,
    help_text: str = "",
    widget: forms.Widget | None = None,
) -> forms.CharField:
    return text_field(
        label,
        limit=max_length,
        what=f"The {label.lower()}",
        required_message=required,
        help_text=help_text,
        widget=widget,
    )


def _long_text(label: str, *, required: str, help_text: str, max_length: int = LONG_TEXT_MAX):
    return _text(
        label,
        max_length=max_length,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


def _drop_maxlength(form: forms.Form, *names: str) -> None:
    """The character count tells the reader when they are over; a browser's maxlength would
    silently cut what they paste."""
    for name in names:
        form.fields[name].widget.attrs.pop("maxlength", None)


class AgencyChoiceField(OfferedAgencies):
    def label_from_instance(self, obj: Agency) -> str:
        return obj.name


def _agencies(label: str, *, help_text: str) -> AgencyChoiceField:
    wrong = "Choose the agencies from the list"
    return AgencyChoiceField(
        label=label,
        help_text=help_text,
        queryset=Agency.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": wrong, "invalid_pk_value": wrong, "invalid_list": wrong},
    )


def _other_agencies(label: str) -> AgencyNamesField:
    return AgencyNamesField(
        label=label,
        help_text="If an agency is not in the list above, type its name or short name here: "
        "one agency on each line, like “Hertfordshire Constabulary”.",
    )


def find_good_practice(typed: str) -> GoodPractice:
    """The entry of the good-practice register whose title is `typed` (case and spacing aside),
    or whose title alone holds its words; ValidationError saying why when none or several."""
    title = " ".join(typed.split())
    words = Q()
    for word in title.split():
        words &= Q(title__icontains=word)
    return find_named(
        GoodPractice.objects.order_by("title", "pk"),
        title,
        exact=Q(title__iexact=title),
        words=words,
        what="good practice",
        kind="entry",
        label=lambda entry: entry.title,
    )


class GoodPracticeTitlesField(RecordNamesField):
    """Entries of the good-practice register typed by title, one to a line."""

    what = "entries"
    find = staticmethod(find_good_practice)


class IssueForm(GovukForm, forms.Form):
    """An issue's details, to raise it or change it. Field names are the service's."""

    submit_label = "Save issue"

    title = _text(
        "Title",
        max_length=TITLE_MAX,
        required="Enter the issue's title",
        help_text="The issue in a few words.",
    )
    description = _long_text(
        "Description",
        required="Enter a description of the issue",
        help_text="What the issue is, what shows it and which children it affects.",
    )
    source = forms.ChoiceField(
        label="Where did the issue come from?",
        choices=IssueSource.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose where the issue came from",
            "invalid_choice": "Choose where the issue came from",
        },
    )
    agencies = _agencies(
        "Agencies involved",
        help_text="The subgroup takes multi-agency issues only: choose two or more agencies, "
        "or say below that the issue is countywide. The list has the agencies on the subgroup.",
    )
    other_agencies = _other_agencies("Other agencies involved (optional)")
    is_countywide = forms.BooleanField(
        label="The issue is countywide: it affects every agency across the county",
        required=False,
    )
    priority = ChoiceOfRecord(
        label="Business plan priority (optional)",
        help_text="The priority of the board's business plan that the issue bears on.",
        queryset=Priority.objects.none(),
        required=False,
        empty_label="None",
        error_messages={"invalid_choice": "Choose a priority from the list"},
    )
    likelihood = forms.TypedChoiceField(
        label="How likely is the risk to happen?",
        choices=_scale(LIKELIHOOD),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how likely the risk is",
            "invalid_choice": "Choose how likely the risk is, from 1 to 5",
        },
    )
    impact = forms.TypedChoiceField(
        label="How great would its impact be?",
        choices=_scale(IMPACT),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how great the impact would be",
            "invalid_choice": "Choose how great the impact would be, from 1 to 5",
        },
    )
    owner = OwnerField(
        help_text="The person who leads the work on it and gives progress updates.",
        error_messages={
            "required": "Choose the owner of the issue",
            "invalid_choice": "Choose the owner from the list",
        },
    )
    proposed_improvement = _long_text(
        "Proposed improvement",
        required="Enter the proposed improvement",
        help_text="What the agencies will do to put it right.",
    )
    review_date = GovukDateField(
        what="the review date",
        label="Review date",
        help_text="When the group will next look at the issue. The owner is reminded as it "
        "comes near. For example, 27 3 2027",
        require_all_fields=False,
    )
    good_practice = OfferedRecords(
        label="Good practice it can learn from (optional)",
        help_text="The latest entries in the good-practice register.",
        queryset=GoodPractice.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "Choose good practice from the list",
            "invalid_pk_value": "Choose good practice from the list",
            "invalid_list": "Choose good practice from the list",
        },
    )
    other_good_practice = GoodPracticeTitlesField(
        label="Other good practice (optional)",
        help_text="If an entry is not in the list above, type its title here: one entry on each "
        "line.",
    )

    def __init__(
        self,
        *args,
        agencies: QuerySet[Agency],
        priorities: QuerySet[Priority],
        owner_choices: list,
        good_practice: QuerySet[GoodPractice],
        issue: Issue | None = None,
        **kwargs,
    ) -> None:
        if issue is not None:
            kwargs.setdefault("initial", initial_for(issue))
        super().__init__(*args, **kwargs)
        named = [a.pk for a in issue.agencies.all()] if issue is not None else []
        offer_agencies(self, "agencies", offered=agencies, accepted=taking_part(keep=named))
        self.fields["priority"].queryset = priorities
        self.fields["owner"].choices = owner_choices
        offer_records(
            self, "good_practice", offered=good_practice, accepted=GoodPractice.objects.all()
        )
        _drop_maxlength(self, "description", "proposed_improvement", "other_agencies")
        layout = [
            Field.text("title"),
            Field.textarea("description", rows=5, max_characters=LONG_TEXT_MAX),
            Field.radios("source", legend_size=Size.SMALL, small=True),
            Field.checkboxes("agencies", legend_size=Size.SMALL, small=True),
            Field.textarea("other_agencies", rows=3),
            Field.checkbox("is_countywide", small=True),
            Field.select("priority"),
            Field.radios("likelihood", legend_size=Size.SMALL, small=True),
            Field.radios("impact", legend_size=Size.SMALL, small=True),
            Field.select("owner"),
            Field.textarea("proposed_improvement", rows=5, max_characters=LONG_TEXT_MAX),
            Field("review_date"),
        ]
        if GoodPractice.objects.exists():
            layout.append(Field.checkboxes("good_practice", legend_size=Size.SMALL, small=True))
            layout.append(Field.textarea("other_good_practice", rows=3))
            _drop_maxlength(self, "other_good_practice")
        else:
            del self.fields["good_practice"], self.fields["other_good_practice"]
        self.helper.layout = Layout(*layout)

    def clean(self) -> dict:
        cleaned = super().clean()
        ticked_and_typed(self, "agencies", "other_agencies")
        if "good_practice" in self.fields:
            ticked_and_typed(self, "good_practice", "other_good_practice")
        return cleaned

    @property
    def service_data(self) -> dict:
        """The cleaned answers, as the service takes them."""
        data = dict(self.cleaned_data)
        data["agencies"] = list(data["agencies"])
        data["good_practice"] = list(data.get("good_practice") or [])
        return data


def initial_for(issue: Issue) -> dict:
    """The issue's details, as the form shows them."""
    return {
        "title": issue.title,
        "description": issue.description,
        "source": issue.source,
        "agencies": [str(a.pk) for a in issue.agencies.all()],
        "is_countywide": issue.is_countywide,
        "priority": issue.priority_id,
        "likelihood": issue.likelihood,
        "impact": issue.impact,
        "owner": issue.owner_id,
        "proposed_improvement": issue.proposed_improvement,
        "review_date": issue.review_date,
        "good_practice": [str(p.pk) for p in issue.good_practice.all()],
    }


def move_choices(status: str) -> list[tuple[str, str]]:
    """No change, then the moves the issue may make from `status`."""
    label = IssueStatus(status).label.lower() if status in IssueStatus.values else status
    choices = [(UNCHANGED, f"No change: it stays {label}")]
    choices += [(target, MOVE_LABELS[target]) for target in MOVES.get(status, {})]
    return choices


class IssueProgressForm(GovukForm, forms.Form):
    """A dated progress update, and a move of status if there is one to make. `seen_status`
    carries the status the person saw, so that a move made by someone else meanwhile is
    caught."""

    submit_label = "Save update"

    seen_status = forms.ChoiceField(widget=forms.HiddenInput, choices=IssueStatus.choices)
    status = forms.ChoiceField(
        label="Status",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the issue's status",
            "invalid_choice": "Choose one of the statuses shown",
        },
    )
    text = _long_text(
        "Progress update",
        max_length=TEXT_LIMIT,
        required="Enter a progress update",
        help_text="What has been done and what is still to do. If you reopen the issue, this is "
        "the reason for reopening it, and it is kept in the issue's history.",
    )

    def __init__(self, *args, issue: Issue, **kwargs) -> None:
        kwargs.setdefault("initial", {"seen_status": issue.status, "status": UNCHANGED})
        super().__init__(*args, **kwargs)
        self.issue = issue
        # The moves offered are those from the status the person saw: if someone else has
        # moved the issue since, the service refuses the update and says so.
        seen = self.data.get(self.add_prefix("seen_status")) if self.is_bound else None
        self.fields["status"].choices = move_choices(
            seen if seen in IssueStatus.values else issue.status
        )
        _drop_maxlength(self, "text")
        self.helper.layout = Layout(
            Field("seen_status"),
            Field.radios("status", legend_size=Size.SMALL),
            Field.textarea("text", rows=6, max_characters=TEXT_LIMIT),
        )

    def full_clean(self) -> None:
        """An error in the hidden field would show nowhere: say so above the form instead, and
        send the current status with the form shown again."""
        super().full_clean()
        if self.is_bound and "seen_status" in self._errors:
            del self._errors["seen_status"]
            self.add_error(None, OUT_OF_DATE)
            self.show_current_status()

    def clean_status(self) -> str | None:
        status = self.cleaned_data["status"]
        return None if status == UNCHANGED else status

    def show_current_status(self) -> None:
        """After a clash, the form is shown again for the issue as it now is: the moves it
        offers are from the current status, which it sends back, and no move is chosen."""
        self.data = self.data.copy()
        self.data[self.add_prefix("seen_status")] = self.issue.status
        self.data[self.add_prefix("status")] = UNCHANGED
        self.fields["status"].choices = move_choices(self.issue.status)


# Good practice ------------------------------------------------------------------------------------


class GoodPracticeForm(GovukForm, forms.Form):
    submit_label = "Save good practice"

    title = _text("Title", max_length=200, required="Enter the title")
    scope = forms.ChoiceField(
        label="Is it local or national practice?",
        choices=GoodPracticeScope.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose local or national",
            "invalid_choice": "Choose local or national",
        },
    )
    source = _text(
        "Source",
        max_length=300,
        required="Enter where the practice comes from",
        help_text="Where it comes from: an agency, a review, a national body.",
    )
    summary = _long_text(
        "Summary",
        required="Enter a summary of the practice",
        help_text="What is done, and what difference it makes to children.",
    )
    link = forms.URLField(
        label="Link (optional)",
        help_text="The address of a report or page about it, like https://www.example.org/report",
        max_length=500,
        required=False,
        assume_scheme="https",
        error_messages={
            "invalid": "Enter the link as a web address, like https://www.example.org/report",
            "max_length": "The link must be 500 characters or fewer",
        },
    )
    theme = _text(
        "Theme",
        max_length=120,
        required="Enter the theme",
        help_text="For example: neglect, exploitation.",
    )
    agencies = _agencies(
        "Agencies (optional)",
        help_text="The agencies whose practice it is, or that could use it. The list has the "
        "agencies on the Improving Outcomes subgroup.",
    )
    other_agencies = _other_agencies("Other agencies (optional)")

    def __init__(self, *args, agencies: QuerySet[Agency], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        offer_agencies(self, "agencies", offered=agencies, accepted=taking_part())
        _drop_maxlength(self, "summary", "other_agencies")
        self.helper.layout = Layout(
            Field.text("title"),
            Field.radios("scope", legend_size=Size.SMALL, small=True, inline=True),
            Field.text("source"),
            Field.textarea("summary", rows=6, max_characters=LONG_TEXT_MAX),
            Field.text("link", spellcheck="false"),
            Field.text("theme", field_width=20),
            Field.checkboxes("agencies", legend_size=Size.SMALL, small=True),
            Field.textarea("other_agencies", rows=3),
        )

    def clean(self) -> dict:
        cleaned = super().clean()
        ticked_and_typed(self, "agencies", "other_agencies")
        return cleaned


def _themes() -> list[tuple[str, str]]:
    """Each theme once, whatever its case ("Neglect" and "neglect" are one theme)."""
    themes = sorted(
        sorted({t.strip() for t in GoodPractice.objects.values_list("theme", flat=True)}),
        key=str.lower,
    )
    seen: set[str] = set()
    choices = []
    for theme in themes:
        if theme and theme.lower() not in seen:
            seen.add(theme.lower())
            choices.append((theme, theme))
    return choices


class ThemeField(filter_fields.ChoiceField):
    """A theme, in any case: the filter matches it whatever the case."""

    def valid_value(self, value) -> bool:
        return any(str(key).lower() == str(value).lower() for key, _label in self.choices)


class ThemeFilter(django_filters.ChoiceFilter):
    field_class = ThemeField


class GoodPracticeFilter(django_filters.FilterSet):
    """Search the good-practice register (every word in the title, summary, theme or source)
    and filter it by scope and theme."""

    q = django_filters.CharFilter(
        label="Search", method="search", max_length=200, help_text="Words in the entry."
    )
    scope = django_filters.ChoiceFilter(
        label="Local or national", choices=GoodPracticeScope.choices, empty_label="Either"
    )
    theme = ThemeFilter(
        label="Theme", choices=_themes, empty_label="Any theme", lookup_expr="iexact"
    )

    class Meta:
        model = GoodPractice
        fields = ["q", "scope", "theme"]
        form = SearchFilterForm

    def search(self, queryset: QuerySet[GoodPractice], name: str, value: str):
        for word in value.split():
            queryset = queryset.filter(
                Q(title__icontains=word)
                | Q(summary__icontains=word)
                | Q(theme__icontains=word)
                | Q(source__icontains=word)
            )
        return queryset
