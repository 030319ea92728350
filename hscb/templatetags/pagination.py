"""The page numbers GOV.UK pagination shows: the first, the last and those beside the current one,
with gaps between. Worked out from the page number alone, so a list of ten thousand pages costs no
more to show than a list of three."""

from __future__ import annotations

from collections.abc import Iterator

from django import template
from django.core.paginator import Page

register = template.Library()


@register.filter
def page_numbers(page: Page) -> Iterator[int | None]:
    """The numbers to link to, in order, with None where pages are left out."""
    for number in page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1):
        yield number if isinstance(number, int) else None


@register.simple_tag(takes_context=True)
def page_query(context, param: str, number: int) -> str:
    """The page's address with `param` set to `number` and the other parameters kept, for lists
    that turn their pages under a parameter of their own ("drafts", "waiting")."""
    query = context["request"].GET.copy()
    query[param] = number
    return f"?{query.urlencode()}"
