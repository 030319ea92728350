"""Forms of the panel's review. They check what was typed; `cdop.services.review` checks the
rules (a case closed only with a category and a modifiable-factor judgement, on a date from the
death to today; a recommendation made an action once; a referral to the Case Review subgroup
only when abuse or neglect may have been a factor, and once)."""

from __future__ import annotations

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format

from hscb.forms.actions import OwnerField
from hscb.forms.board import ChoiceOfRecord, GovukDateField, GovukForm, YesNoField
from hscb.models import Meeting
from hscb.services.actions import check_due_date

from ..models import DeathCategory, Domain, Influence, Modifiable, PanelReview
from ..services.review import (
    ACTION_DESCRIPTION_MAX,
    ACTION_TITLE_MAX,
    FACTOR_MAX,
    RECOMMENDATION_MAX,
    SUMMARY_MAX,
)

NO_CHILD_DETAILS = (
    "Do not include the child's name or details: the action is seen by its owner and the "
    "panel's members."
)
PHONE_MAX = 40


def _text(
    label: str,
    *,
    max_length: int,
    required: str | None = None,
    help_text: str = "",
    textarea: bool = False,
) -> forms.CharField:
    subject = label.removesuffix(" (optional)")
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=max_length,
        required=required is not None,
        widget=forms.Textarea if textarea else None,
        error_messages={
            "required": required or "",
            "max_length": f"{subject} must be {max_length:,} characters or fewer",
        },
    )


def _drop_maxlength(form: forms.Form, *names: str) -> None:
    """The character count tells the reader when they are over; a browser's maxlength would
    silently cut what they paste."""
    for name in names:
        form.fields[name].widget.attrs.pop("maxlength", None)


class CategoryField(forms.ChoiceField):
    """A category of death, chosen from the active ones (and the review's own, if it has since
    gone out of use); cleans to the DeathCategory or None."""

    def __init__(self, **kwargs) -> None:
        super().__init__(
            widget=forms.RadioSelect,
            required=False,
            error_messages={"invalid_choice": "Choose a category of death from the list"},
            **kwargs,
        )
        self.records: dict[str, DeathCategory] = {}

    def set_categories(self, categories: list[DeathCategory]) -> None:
        self.records = {str(c.pk): c for c in categories}
        self.choices = [Choice(str(c.pk), str(c), hint=c.description or "") for c in categories]

    def clean(self, value):
        key = super().clean(value)
        return self.records.get(key) if key else None


class PanelReviewForm(GovukForm, forms.Form):
    submit_label = "Save the review"

    category = CategoryField(
        label="Category of death",
        help_text="The categories are in a hierarchy: when more than one applies, choose the one "
        "with the lowest number.",
    )
    modifiable = forms.ChoiceField(
        label="Were there modifiable factors?",
        help_text="Factors which, by means of nationally or locally achievable interventions, "
        "could be modified to reduce the risk of future child deaths.",
        choices=Modifiable.choices,
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": "Choose yes, no or insufficient information"},
    )
    summary = _text(
        "The panel's summary (optional)",
        max_length=SUMMARY_MAX,
        textarea=True,
        help_text="What the panel concluded about the death and why.",
    )
    abuse_or_neglect_factor = YesNoField(
        label="Did the panel conclude that abuse or neglect may have been a factor?",
        help_text="If so, the case can be referred to the Case Review subgroup.",
        error_messages={
            "required": "Select yes if abuse or neglect may have been a factor",
            "invalid_choice": "Select yes if abuse or neglect may have been a factor",
        },
    )

    def __init__(
        self, *args, categories: list[DeathCategory], review: PanelReview | None, **kwargs
    ) -> None:
        if review is not None:
            kwargs.setdefault(
                "initial",
                {
                    "category": str(review.category_id) if review.category_id else None,
                    "modifiable": review.modifiable or None,
                    "summary": review.summary,
                    "abuse_or_neglect_factor": "yes" if review.abuse_or_neglect_factor else "no",
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["category"].set_categories(categories)
        _drop_maxlength(self, "summary")
        self.helper.layout = Layout(
            Field.radios("category", legend_size=Size.MEDIUM),
            Field.radios("modifiable", legend_size=Size.MEDIUM),
            Field.textarea("summary", rows=8, max_characters=SUMMARY_MAX),
            Field.radios("abuse_or_neglect_factor", legend_size=Size.MEDIUM, inline=True),
        )


class FactorForm(GovukForm, forms.Form):
    submit_label = "Add the factor"

    domain = forms.ChoiceField(
        label="Domain",
        choices=Domain.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the domain the factor is in",
            "invalid_choice": "Choose the domain the factor is in",
        },
    )
    description = _text(
        "Factor",
        max_length=FACTOR_MAX,
        required="Describe the factor",
        help_text="For example, “Unsafe sleeping arrangement”.",
    )
    influence = forms.ChoiceField(
        label="Its influence",
        choices=Influence.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the factor's influence: 0, 1 or 2",
            "invalid_choice": "Choose the factor's influence: 0, 1 or 2",
        },
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            Field.radios("domain", legend_size=Size.MEDIUM),
            Field.text("description"),
            Field.radios("influence", legend_size=Size.MEDIUM),
        )


class RecommendationForm(GovukForm, forms.Form):
    submit_label = "Add the recommendation"

    text = _text(
        "Recommendation",
        max_length=RECOMMENDATION_MAX,
        required="Enter the recommendation",
        textarea=True,
        help_text="What should change, and who should change it.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _drop_maxlength(self, "text")
        self.helper.layout = Layout(
            Field.textarea("text", rows=6, max_characters=RECOMMENDATION_MAX)
        )


class MeetingField(ChoiceOfRecord):
    def label_from_instance(self, obj: Meeting) -> str:
        return f"{obj.title or obj.group.name}, {date_format(timezone.localtime(obj.starts_at))}"


class RecommendationActionForm(GovukForm, forms.Form):
    submit_label = "Make it an action"

    title = _text(
        "Action",
        max_length=ACTION_TITLE_MAX,
        required="Enter the action",
        help_text=f"What is to be done, in a sentence. {NO_CHILD_DETAILS}",
    )
    description = _text(
        "Details (optional)",
        max_length=ACTION_DESCRIPTION_MAX,
        textarea=True,
        help_text="Anything the owner needs to know.",
    )
    owner = OwnerField()
    due_date = GovukDateField(what="the due date", label="Due date", require_all_fields=False)
    meeting = MeetingField(
        label="Panel meeting it arose from (optional)",
        queryset=Meeting.objects.none(),
        required=False,
        empty_label="None",
        error_messages={"invalid_choice": "Choose a meeting of the panel from the list"},
    )

    def __init__(self, *args, owner_choices: list, meetings, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = owner_choices
        self.fields["meeting"].queryset = meetings
        _drop_maxlength(self, "description")
        self.helper.layout = Layout(
            Field.text("title"),
            Field.textarea("description", rows=4, max_characters=ACTION_DESCRIPTION_MAX),
            Field.select("owner"),
            Field("due_date"),
            Field.select("meeting"),
        )

    def clean_due_date(self):
        value = self.cleaned_data["due_date"]
        try:
            check_due_date(value)
        except ValidationError as error:
            raise ValidationError(error.message_dict["due_date"]) from None
        return value


class CloseForm(GovukForm, forms.Form):
    submit_label = "Close the case"

    closed_on = GovukDateField(
        what="the date the case was closed",
        label="Date the case was closed",
        help_text="The date the panel completed its review. For example, 27 3 2026",
        require_all_fields=False,
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("initial", {"closed_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(Field("closed_on"))


class ReferForm(GovukForm, forms.Form):
    submit_label = "Refer to the Case Review subgroup"

    notifier_phone = _text(
        "Your telephone number",
        max_length=PHONE_MAX,
        required="Enter your telephone number",
        help_text="The notification is made in your name: the Case Review subgroup may call "
        "you about it.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["notifier_phone"].widget.attrs.update({"type": "tel", "autocomplete": "tel"})
        self.helper.layout = Layout(Field.text("notifier_phone", field_width=20))
