"""Forms of the statistics page (which year, which figures) and of asking for an annual report.
They check what was typed; `cdop.services.statistics` checks the rules."""

from __future__ import annotations

from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from hscb.forms.board import GovukForm

from ..services.statistics import EARLIEST_YEAR

ALL_FIGURES = "0"
PUBLISHED = "1"


class StatisticsFilterForm(GovukForm, forms.Form):
    """Which year to show, and whether as the published figures (small numbers suppressed)."""

    submit_label = "Show the figures"

    year = forms.TypedChoiceField(
        label="Year",
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={
            "invalid_choice": "Choose a year from the list",
        },
    )
    published = forms.ChoiceField(
        label="Which figures",
        choices=[
            (ALL_FIGURES, "All figures, for the panel and the board"),
            (PUBLISHED, "Published figures: small numbers held back"),
        ],
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": "Choose which figures to show"},
    )

    def __init__(self, *args, years: list[int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in years]
        self.helper.form_method = "get"
        self.helper.layout = Layout(
            Field.select("year"),
            Field.radios("published", legend_size=Size.SMALL, small=True),
        )


class ReportRequestForm(GovukForm, forms.Form):
    submit_label = "Make the report"

    year = forms.CharField(
        label="Year",
        help_text="The calendar year the report covers, like 2025.",
        max_length=4,
        error_messages={
            "required": "Enter the year the report is for",
            "max_length": "Enter the year as 4 numbers, like 2025",
        },
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].widget.attrs.update({"inputmode": "numeric", "spellcheck": "false"})
        self.helper.layout = Layout(Field.text("year", field_width=4))

    def clean_year(self) -> int:
        text = self.cleaned_data["year"].strip()
        if not (len(text) == 4 and text.isascii() and text.isdigit()):
            raise ValidationError("Enter the year as 4 numbers, like 2025")
        year = int(text)
        this_year = timezone.localdate().year
        if not EARLIEST_YEAR <= year <= this_year:
            raise ValidationError(f"Enter a year from {EARLIEST_YEAR} to {this_year}")
        return year
