"""Finding people with an open account by name or email, for the people fields' autocomplete."""

from __future__ import annotations

from django.db.models import Q

from hscb.models import User

# The autocomplete shows at most this many people; more words narrow the search.
SEARCH_LIMIT = 20
# Words of a search beyond this many are ignored, and a search is cut at this length.
SEARCH_WORDS = 4
SEARCH_MAX_LENGTH = 100


def person_label(user: User) -> str:
    """How a person is offered in a select: "Name, Agency"."""
    name = user.get_full_name() or user.email
    return f"{name}, {user.agency.label}" if user.agency_id else name


def people_matching(text: str, *, by_email: bool = False) -> list[User]:
    """Open accounts whose first name or surname (or, `by_email`, email) starts with each word
    typed, by surname: at most SEARCH_LIMIT, in one query whatever the number of accounts."""
    words = text[:SEARCH_MAX_LENGTH].replace("\x00", "").split()[:SEARCH_WORDS]
    if not words or sum(len(w) for w in words) < 2:
        return []
    matching = Q(is_active=True)
    for word in words:
        named = Q(first_name__istartswith=word) | Q(last_name__istartswith=word)
        matching &= (named | Q(email__istartswith=word)) if by_email else named
    return list(
        User.objects.filter(matching)
        .select_related("agency")
        .order_by("last_name", "first_name", "pk")[:SEARCH_LIMIT]
    )
