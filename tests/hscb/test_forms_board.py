"""The shared pieces of the GOV.UK forms."""

from __future__ import annotations

import re

from crispy_forms.utils import render_crispy_form
from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Field, Layout
from django import forms
from django.test.html import parse_html

from hscb.forms.board import GovukForm, QuickSelect


class PeopleForm(GovukForm, forms.Form):
    person = forms.TypedChoiceField(
        widget=QuickSelect,
        coerce=int,
        required=False,
        choices=[
            ("", "Nobody"),
            ("Members", [("1", "Ann O'Neil, Police"), ("2", "Bo <b>Bold</b>, Health")]),
            ("3", "Cy & Co, Education"),
        ],
    )
    mood = forms.ChoiceField(widget=forms.RadioSelect, choices=[("a", "A"), ("b", "B")])


def test_the_quick_select_writes_what_djangos_select_would():
    form = PeopleForm(data={"person": "2"})
    quick = form["person"].as_widget()
    # With GOV.UK's class, which crispy-forms-gds gives a plain select (tests/hscb/test_selects.py).
    plain = forms.Select(
        attrs={"class": "govuk-select"}, choices=form.fields["person"].choices
    ).render("person", "2", {"id": "id_person"})
    assert parse_html(quick) == parse_html(plain)
    assert "Ann O&#x27;Neil" in quick and "Bo &lt;b&gt;Bold&lt;/b&gt;" in quick
    assert '<option value="2" selected>' in quick and '<optgroup label="Members">' in quick


def test_radios_are_known_by_their_first_choice_so_the_error_summary_link_lands():
    form = PeopleForm(data={})
    assert not form.is_valid()
    assert form["mood"].auto_id == "id_mood_1"
    assert form["person"].auto_id == "id_person"


class RatingForm(GovukForm, forms.Form):
    rating = forms.ChoiceField(
        widget=forms.RadioSelect,
        help_text="How the work stands.",
        choices=[
            Choice("red", "Red", hint="Off track."),
            Choice("green", "Green", hint="On track."),
        ],
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(Field.radios("rating"))


def test_a_question_hint_and_its_first_choices_hint_have_ids_of_their_own():
    form = RatingForm(data={})
    assert not form.is_valid()
    html = render_crispy_form(form)
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert 'id="id_rating_1_hint"' in html  # the question's hint
    assert 'id="id_rating_1_item_hint"' in html  # the first choice's
    for described in re.findall(r'aria-describedby="([^"]+)"', html):
        for target in described.split():
            assert target in ids, target
