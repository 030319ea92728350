"""Finding a child's details in free text (hscb.lib.child_details): every common way of writing
a name, a date of birth and an NHS number is found; a near miss is not."""

from __future__ import annotations

import datetime

import pytest

from hscb.lib.child_details import details_message, find_child_details

CHILD = {
    "names": ["Zoë", "Quillfeather-Moss", "Zee, Bubba", ""],
    "dates_of_birth": [datetime.date(2015, 3, 27), None],
    "nhs_numbers": ["9434765919", ""],
}


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Zoë was not seen alone.", ["name"]),
        ("ZOE was not seen alone.", ["name"]),
        ("zoe’s school did not know.", ["name"]),
        ("The QUILLFEATHER‑MOSS family moved twice.", ["name"]),
        ("Nobody asked Moss.", ["name"]),
        ("Quillfeather was seen.", ["name"]),
        ("known as bubba", ["name"]),
        ("Zee", ["name"]),
        ("27/03/2015", ["date of birth"]),
        ("27-3-15", ["date of birth"]),
        ("27.03.2015", ["date of birth"]),
        ("27 / 3 / 2015", ["date of birth"]),
        ("2015-03-27", ["date of birth"]),
        ("03/27/2015", ["date of birth"]),
        ("27032015", ["date of birth"]),
        ("27 March 2015", ["date of birth"]),
        ("27th March 2015", ["date of birth"]),
        ("27th of March, 2015", ["date of birth"]),
        ("March 27, 2015", ["date of birth"]),
        ("Mar. 27th 2015", ["date of birth"]),
        ("27 Mar 2015", ["date of birth"]),
        ("27 MAR 15", ["date of birth"]),
        ("9434765919", ["NHS number"]),
        ("943 476 5919", ["NHS number"]),
        ("943-476-5919", ["NHS number"]),
        ("943 – 476 – 5919", ["NHS number"]),
        ("Zoë, 27.3.2015, 943 476 5919", ["name", "date of birth", "NHS number"]),
    ],
)
def test_every_common_form_of_a_detail_is_found(text, found):
    assert find_child_details(text, **CHILD) == found


@pytest.mark.parametrize(
    "text",
    [
        "Zoey and the Mossley family were seen.",  # a name inside another word
        "Practitioners will speak to the child alone.",
        "28/03/2015, 27/04/2015, 127/03/2015, 27/03/20155, March 2015, 2015",
        "9434765918, 19434765919, 94347659190",
        "Z. was seen",  # an initial alone is not looked for
    ],
)
def test_near_misses_are_not_found(text):
    assert find_child_details(text, **CHILD) == []


def test_september_is_found_however_it_is_shortened():
    born = [datetime.date(2016, 9, 3)]
    for text in ("3 Sept 2016", "Sep. 3rd, 2016", "3rd of September 2016"):
        assert find_child_details(text, dates_of_birth=born) == ["date of birth"]


def test_the_message_names_the_kinds_found_only():
    assert details_message(["name"]) == "the child's name"
    assert details_message(["name", "NHS number"]) == "the child's name and NHS number"
    assert (
        details_message(["name", "date of birth", "NHS number"])
        == "the child's name, date of birth and NHS number"
    )


@pytest.mark.parametrize(
    "text",
    ["Zo\u200bë was not seen.", "Quill\u2060feather was seen.", "Ms OBrien said", "o brien"],
)
def test_invisible_characters_and_dropped_apostrophes_do_not_hide_a_name(text):
    assert find_child_details(text, names=["Zoë", "Quillfeather", "O'Brien"]) == ["name"]
