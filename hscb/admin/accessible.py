"""Accessibility repairs to the admin's forms that a template cannot make (WCAG 2.2 AA)."""

from __future__ import annotations

from django import forms
from django.utils.text import capfirst


def labelled_row_form(form_class: type[forms.ModelForm]) -> type[forms.ModelForm]:
    """The form of a row in a list whose columns can be changed in place (`list_editable`).
    Django writes each input in a table cell with no label (the column's heading is not one),
    so a screen reader could not say what it is for: each is named by its column and row
    ("Active: Rapid review")."""

    class LabelledRowForm(form_class):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            for field in self.fields.values():
                if not field.widget.is_hidden:
                    field.widget.attrs["aria-label"] = f"{capfirst(field.label)}: {self.instance}"

    LabelledRowForm.__name__ = form_class.__name__
    return LabelledRowForm
