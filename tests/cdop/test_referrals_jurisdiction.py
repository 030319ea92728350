"""Whose death it is to review, and which other area's panel a death notified here is referred
to (the seed text's cross-area rule, in `cdop.services.jurisdiction`): every combination of
where the child lived, where they died, and who looked after them."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from cdop.services.jurisdiction import jurisdiction
from tests.cdop.factories import home_area, other_area

pytestmark = pytest.mark.django_db

HOME, BEDFORD, WESTMERE = "home", "Bedford Borough", "Westmere"


def area(name: str | None):
    if name is None:
        return None
    return home_area() if name == HOME else other_area(name)


@pytest.mark.parametrize(
    ("lived", "died", "looked_after_by", "reviews", "told"),
    [
        # Lived here: ours wherever they died.
        (HOME, HOME, None, HOME, None),
        (HOME, BEDFORD, None, HOME, None),
        # Lived elsewhere and died here: their home area's panel reviews, and is told.
        (BEDFORD, HOME, None, BEDFORD, BEDFORD),
        # Looked after by us: ours wherever they lived and died ...
        (HOME, HOME, HOME, HOME, None),
        (HOME, BEDFORD, HOME, HOME, None),
        (BEDFORD, WESTMERE, HOME, HOME, None),
        # ... and when they lived elsewhere and died here, their home area's panel is told.
        (BEDFORD, HOME, HOME, HOME, BEDFORD),
        # Looked after by another authority: its panel reviews, and is told.
        (HOME, HOME, BEDFORD, BEDFORD, BEDFORD),
        (HOME, WESTMERE, BEDFORD, BEDFORD, BEDFORD),
        (WESTMERE, HOME, BEDFORD, BEDFORD, BEDFORD),
    ],
)
def test_which_panel_reviews_and_which_is_told(board, lived, died, looked_after_by, reviews, told):
    rule = jurisdiction(
        residence_area=area(lived), place_area=area(died), looked_after_by=area(looked_after_by)
    )
    assert rule.home == home_area()
    assert rule.reviewing_area == area(reviews)
    assert rule.refer_out_to == area(told)
    assert rule.is_ours_to_review is (reviews == HOME)


@pytest.mark.parametrize(
    ("lived", "died", "looked_after_by", "tell"),
    [
        (BEDFORD, WESTMERE, None, BEDFORD),
        (BEDFORD, BEDFORD, None, BEDFORD),
        (BEDFORD, WESTMERE, WESTMERE, WESTMERE),
    ],
)
def test_a_death_neither_here_nor_of_a_child_we_look_after_is_not_ours(
    board, lived, died, looked_after_by, tell
):
    with pytest.raises(ValidationError) as error:
        jurisdiction(
            residence_area=area(lived), place_area=area(died), looked_after_by=area(looked_after_by)
        )
    (message,) = error.value.message_dict["place_area"]
    assert message.startswith("This death is not for this panel")
    assert f"Tell {area(tell).cdop_name} (cdop@" in message
