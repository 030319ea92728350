"""The shared pieces of the GOV.UK forms."""

from __future__ import annotations

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
    plain = forms.Select(choices=form.fields["person"].choices).render(
        "person", "2", {"id": "id_person"}
    )
    assert parse_html(quick) == parse_html(plain)
    assert "Ann O&#x27;Neil" in quick and "Bo &lt;b&gt;Bold&lt;/b&gt;" in quick
    assert '<option value="2" selected>' in quick and '<optgroup label="Members">' in quick


def test_radios_are_known_by_their_first_choice_so_the_error_summary_link_lands():
    form = PeopleForm(data={})
    assert not form.is_valid()
    assert form["mood"].auto_id == "id_mood_1"
    assert form["person"].auto_id == "id_person"
