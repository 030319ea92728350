"""A page of a long list, read as an index has it.

The page's primary keys are found first, from the list's own filters and order (an index scan
that reads only the index when one matches), and then the page's rows, with what they join, by
those keys. A page deep in a list of thirty thousand cases then costs a walk along an index, not
thirty thousand rows joined and sorted before the ones wanted are reached.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)


def page_by_keys(
    queryset: QuerySet[M],
    per_page: int,
    page_number: str | int | None,
    rows: Callable[[Sequence[int]], QuerySet[M]],
) -> Page:
    """The page `page_number` of `queryset` (filtered and ordered), its object list the rows that
    `rows` reads for the page's primary keys, in the list's order."""
    page = Paginator(queryset.values_list("pk", flat=True), per_page).get_page(page_number)
    keys = list(page.object_list)
    found = {row.pk: row for row in rows(keys)} if keys else {}
    page.object_list = [found[key] for key in keys if key in found]
    return page
