"""Forms of the business plan."""

from __future__ import annotations

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms

from hscb.forms.board import GovukForm
from hscb.models import RAG_MEANING, Rag
from hscb.services.plan import COMMENTARY_MAX


class PriorityProgressForm(GovukForm, forms.Form):
    """A red, amber or green rating with a short commentary."""

    submit_label = "Save progress"

    progress = forms.ChoiceField(
        label="How is the priority going?",
        choices=[Choice(rag.value, rag.label, hint=RAG_MEANING[rag]) for rag in Rag],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select red, amber or green",
            "invalid_choice": "Select red, amber or green",
        },
    )
    commentary = forms.CharField(
        label="Commentary",
        help_text="What has been done, what is at risk and what help is needed.",
        max_length=COMMENTARY_MAX,
        widget=forms.Textarea,
        error_messages={
            "required": "Enter a short commentary",
            "max_length": f"The commentary must be {COMMENTARY_MAX:,} characters or fewer",
        },
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The character count tells the reader when they are over; a browser's maxlength would
        # silently cut what they paste.
        self.fields["commentary"].widget.attrs.pop("maxlength", None)
        self.helper.layout = Layout(
            Field.radios("progress", legend_size=Size.MEDIUM),
            Field.textarea(
                "commentary", label_size=Size.SMALL, rows=6, max_characters=COMMENTARY_MAX
            ),
        )
