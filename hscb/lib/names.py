"""Comparing children's names across records, for possible duplicates."""

from __future__ import annotations

import unicodedata


def child_name_key(first_name: str, last_name: str) -> str:
    """The names as compared: NFC, case-folded, single spaces ("Zoë  ADAMS" is "zoë|adams");
    empty unless both names are given."""

    def fold(name: str) -> str:
        return " ".join(unicodedata.normalize("NFC", name).casefold().split())

    if not first_name.strip() or not last_name.strip():
        return ""
    return f"{fold(first_name)}|{fold(last_name)}"
