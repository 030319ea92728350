"""Small numbers held back from published counts, so that none can be worked out from the rest.

A count is published with its breakdowns: the parts that add up to it (deaths by age band, by
expected or unexpected...). A reader knows the rule below, sees every number shown, knows that
the parts of each breakdown add up to the total, and that a total shown as "fewer than N" is
from 1 to N - 1. The rule, with N the threshold (`below`):

1. A total from 1 to N - 1 reads "fewer than N", and every part of every one of its breakdowns
   is withheld, noughts included: shown noughts would tell how many parts are not nought (a
   total of 2 split over two bands is 1 and 1).
2. Otherwise the total is shown, and each breakdown on its own (the total ties them together,
   but it is known) is published so:
   - no part from 1 to N - 1: every part is shown;
   - no part of N or more: every part is withheld, noughts included;
   - the small parts (1 to N - 1) are not all equal: they are withheld;
   - they are all equal (or there is only one): they are withheld, and so is the smallest part
     of N or more, with every part equal to it.

Every withheld part reads the same, "withheld", small or not: were the small ones marked apart,
a reader would know the others are not small, and a total of 4 split 1 and 3 would give the 1
away whatever else was done. Why no withheld figure can be worked out, even by a reader who
knows this rule and tries every possible set of figures against it:

- In 2, swapping the values of two withheld parts gives figures that the rule publishes just
  the same: it withholds a part for its value (small, or the smallest of the larger ones) and
  which case applies depends only on the values present. The withheld values are not all
  equal (a small one and a larger one, or small ones that differ), so each withheld part has
  at least two possible values. They are all equal only when the whole breakdown is withheld
  with every part the same small v; then v - 1 and v + 1 in two parts (for v < N - 1), or
  1 in all parts but one (for v = N - 1), are published the same way too.
- In 1, the total could be 1 or 2 (N is 3 or more) and each part 0 or 1, whichever the real
  figures, as long as a breakdown has two parts or more.

A threshold of 2 cannot protect anything while noughts are shown ("fewer than 2" could only be
1), so it is refused; 1 publishes every number.

`tests/cdop/test_suppression.py` checks all of this by brute force.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WITHHELD = "withheld"


def fewer_than(below: int) -> str:
    return f"fewer than {below}"


def check_threshold(below: int) -> None:
    """Refuse a threshold that would publish something it claims to hold back."""
    if isinstance(below, bool) or not isinstance(below, int) or below < 1 or below == 2:
        raise ValueError(
            "The threshold for small numbers must be 1 (publish every number) or 3 or more: "
            "with 2, “fewer than 2” could only mean 1."
        )


@dataclass(frozen=True)
class Published:
    """A total and its breakdowns, as published: each figure is a number or a label."""

    total: str
    breakdowns: tuple[tuple[str, ...], ...]


def publish(*, total: int, breakdowns: Sequence[Sequence[int]], below: int) -> Published:
    """`total` and its `breakdowns` (each a sequence of parts adding up to it) as published,
    with the small numbers held back by the rule above."""
    check_threshold(below)
    if total < 0 or any(sum(parts) != total or min(parts, default=0) < 0 for parts in breakdowns):
        raise ValueError("Each breakdown's parts must be whole numbers adding up to the total.")
    if 0 < total < below:
        return Published(
            total=fewer_than(below),
            breakdowns=tuple((WITHHELD,) * len(parts) for parts in breakdowns),
        )
    return Published(
        total=str(total),
        breakdowns=tuple(_publish_parts(tuple(parts), below) for parts in breakdowns),
    )


def _publish_parts(parts: tuple[int, ...], below: int) -> tuple[str, ...]:
    small = {i for i, n in enumerate(parts) if 0 < n < below}
    if not small:
        return tuple(str(n) for n in parts)
    larger = [n for n in parts if n >= below]
    if not larger:
        return (WITHHELD,) * len(parts)
    withheld = set(small)
    if len({parts[i] for i in small}) == 1:
        # Equal small parts withheld alone could be worked out from their sum and their number.
        smallest = min(larger)
        withheld |= {i for i, n in enumerate(parts) if n == smallest}
    return tuple(WITHHELD if i in withheld else str(n) for i, n in enumerate(parts))
