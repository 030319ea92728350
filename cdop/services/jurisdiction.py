"""Whose death it is to review: the seed text's cross-area rule, in one place.

- A child who normally lived here is ours, wherever they died (if they died elsewhere, that
  area's panel refers the death to us: an inbound referral).
- A child looked after by our authority is ours wherever they lived and died. If they normally
  lived elsewhere and died here, their home area's panel is still told (an outbound referral):
  a child who lives in another area and dies here is always notified to that area's panel.
- A child who normally lived elsewhere and died here is notified to their home area's panel (an
  outbound referral), or, when another authority looks after them, to that authority's panel;
  which panel reviews is agreed between the two.
- A death where both the residence and the place of death are elsewhere, of a child not looked
  after by us, is not ours: the notifier is told which panel to tell instead.

The reviewing panel proposed by default is the area where the child normally lived; for a
looked-after child, the area of the authority looking after them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from hscb.models import Area


class HomeAreaMissing(Exception):
    """No area is marked as the home area: the board's set-up is incomplete."""


def home_area() -> Area:
    area = Area.objects.filter(is_home=True).first()
    if area is None:
        raise HomeAreaMissing(
            "No area is marked as this board's home area. The secretariat can set one in the "
            "admin under Areas."
        )
    return area


@dataclass(frozen=True)
class Jurisdiction:
    home: Area
    reviewing_area: Area
    refer_out_to: Area | None  # the other area's panel a death notified here is referred to

    @property
    def is_ours_to_review(self) -> bool:
        return self.reviewing_area.pk == self.home.pk


def panel_contact(area: Area) -> str:
    """How to reach an area's panel, in words, for a message."""
    name = area.cdop_name or f"the {area.name} child death overview panel"
    ways = [w for w in (area.cdop_email, area.cdop_phone) if w]
    return f"{name} ({', '.join(ways)})" if ways else name


def jurisdiction(
    *,
    residence_area: Area,
    place_area: Area,
    looked_after_by: Area | None,
    home: Area | None = None,
) -> Jurisdiction:
    """Which panel reviews (`reviewing_area`), and which other area's panel a death notified
    here is referred out to (`refer_out_to`: the reviewing panel when it is not ours, or the
    home area's panel of a child we look after who lived elsewhere and died here). Raises
    ValidationError (on `place_area`) for a death that is not ours, naming the panel to tell
    instead."""
    home = home or home_area()
    lives_here = residence_area.pk == home.pk
    died_here = place_area.pk == home.pk
    looked_after_by_us = looked_after_by is not None and looked_after_by.pk == home.pk
    if not (lives_here or died_here or looked_after_by_us):
        tell = looked_after_by or residence_area
        raise ValidationError(
            {
                "place_area": [
                    "This death is not for this panel: the child neither lived nor died in "
                    f"{home.name}, and was not looked after by {home.name}. Tell "
                    f"{panel_contact(tell)} instead"
                ]
            },
            code="not_ours",
        )
    reviewing = looked_after_by or residence_area
    if reviewing.pk != home.pk:
        # The panel proposed to review it is told of a death notified here.
        refer_out: Area | None = reviewing
    elif died_here and not lives_here:
        # Ours (a child we look after), but the home area's panel is told of a death here.
        refer_out = residence_area
    else:
        # Ours, and nobody needs telling (another area's panel that tells us of a death there
        # is recorded as an inbound referral).
        refer_out = None
    return Jurisdiction(home=home, reviewing_area=reviewing, refer_out_to=refer_out)
