"""The case review lists' filters. An agency is looked for by the words typed, not chosen from a
list: a list of every agency would grow the page with the number of agencies."""

from __future__ import annotations

from hscb.forms.agencies import agency_words

__all__ = ["AGENCY_HINT", "AGENCY_SEARCH_MAX", "agency_words"]

AGENCY_HINT = "Words in the agency's name or short name."
AGENCY_SEARCH_MAX = 200
