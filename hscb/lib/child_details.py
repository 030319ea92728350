"""Finding a child's details in free text meant for a wide audience, like a lesson learnt.

`find_child_details` says which kinds of detail a text holds ("name", "date of birth", "NHS
number"), never the details themselves, so that the message built from it can be shown, logged
or emailed without carrying them.

- Names: each name the record holds, and each word of it (a double-barrelled or two-word name
  counts as a whole and by its parts), as whole words, ignoring case and accents ("ZOE" finds
  "Zoë", and "Zoë's" finds "Zoë"). Initials (one letter) are not looked for.
- Date of birth: the usual ways of writing a date: 27/03/2015, 27-3-15, 27.03.2015, 2015-03-27,
  03/27/2015, 27032015, 27 March 2015, 27th of March 2015, March 27, 2015, 27 Mar 15…
- NHS number: its ten digits, with or without spaces, dashes or dots between any of them.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable

MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
# Apostrophes and dashes people (and word processors) type instead of the plain ones.
TYPOGRAPHIC = str.maketrans(
    {
        "\u2019": "'",  # right single quotation mark
        "\u2018": "'",  # left single quotation mark
        "\u02bc": "'",  # modifier letter apostrophe
        "\u2010": "-",  # hyphen
        "\u2011": "-",  # non-breaking hyphen
        "\u2013": "-",  # en dash
        "\u2014": "-",  # em dash
    }
)
NAME_SPLIT = re.compile(r"[\s,;/&()\-]+|\band\b")


def fold(text: str) -> str:
    """Text as compared: accents dropped, case folded, typographic apostrophes and dashes made
    plain."""
    decomposed = unicodedata.normalize("NFKD", text.translate(TYPOGRAPHIC))
    # Marks dropped, and invisible format characters too (a zero-width space inside a name).
    return "".join(
        ch
        for ch in decomposed
        if not unicodedata.combining(ch) and unicodedata.category(ch) != "Cf"
    ).casefold()


def name_words(*names: str) -> set[str]:
    """Each name whole and each of its words, folded; initials (one letter) left out."""
    found: set[str] = set()
    for name in names:
        folded = " ".join(fold(name or "").split())
        if not folded:
            continue
        for part in [folded, *NAME_SPLIT.split(folded)]:
            part = part.strip(" .'")
            if len(part) > 1:
                found.add(part)
                if "'" in part:  # O'Brien written OBrien or O Brien
                    found.update({part.replace("'", ""), part.replace("'", " ")})
    return found


def _word(pattern: str) -> str:
    """`pattern` as a whole word: no letter or digit just before or after it."""
    return rf"(?<![^\W_]){pattern}(?![^\W_])"


def _names_pattern(words: Iterable[str]) -> re.Pattern[str] | None:
    alternatives = sorted(
        (r"\s+".join(re.escape(w) for w in word.split()) for word in words), key=len, reverse=True
    )
    if not alternatives:
        return None
    return re.compile(_word("(?:" + "|".join(alternatives) + ")"))


def _date_pattern(day: datetime.date) -> re.Pattern[str]:
    d = rf"0?{day.day}" if day.day < 10 else str(day.day)
    m = rf"0?{day.month}" if day.month < 10 else str(day.month)
    dd, mm = f"{day.day:02d}", f"{day.month:02d}"
    yyyy, yy = f"{day.year:04d}", f"{day.year % 100:02d}"
    year = rf"(?:{yyyy}|'?{yy})"
    sep = r"\s*[/.\-]\s*|\s+"
    numeric = [
        rf"{d}(?:{sep}){m}(?:{sep}){year}",  # 27/03/2015, 27-3-15, 27.03.2015, 27 3 15
        rf"{m}(?:{sep}){d}(?:{sep}){year}",  # 03/27/2015, written the American way
        rf"{yyyy}(?:{sep}){m}(?:{sep}){d}",  # 2015-03-27
        rf"{dd}{mm}(?:{yyyy}|{yy})",  # 27032015
        rf"{yyyy}{mm}{dd}",  # 20150327
    ]
    name = MONTHS[day.month - 1]
    short = [name[:3], "sept"] if day.month == 9 else [name[:3]]
    month = "(?:" + "|".join([name, *(rf"{s}\.?" for s in short)]) + ")"
    nth = rf"{d}(?:st|nd|rd|th)?"
    words = [
        rf"{nth}\s*(?:of\s+)?{month},?\s*{year}",  # 27 March 2015, 27th of Mar 15
        rf"{month}\s*{nth},?\s*{year}",  # March 27, 2015; Mar 27th 2015
    ]
    return re.compile("|".join(_word(f"(?:{p})") for p in numeric + words))


def _nhs_pattern(number: str) -> re.Pattern[str] | None:
    digits = "".join(ch for ch in number if ch.isdigit())
    if len(digits) != 10:
        return None
    return re.compile(r"(?<!\d)" + r"[\s.\-]*".join(digits) + r"(?!\d)")


def find_child_details(
    text: str,
    *,
    names: Iterable[str] = (),
    dates_of_birth: Iterable[datetime.date | None] = (),
    nhs_numbers: Iterable[str] = (),
) -> list[str]:
    """The kinds of the child's details that `text` holds, in the order "name", "date of
    birth", "NHS number"; empty when it holds none. A child may be known by several records
    (a notification merged into another, one linked as the same child): give all of theirs."""
    folded = fold(text or "")
    found: list[str] = []
    pattern = _names_pattern(name_words(*names))
    if pattern is not None and pattern.search(folded):
        found.append("name")
    if any(_date_pattern(day).search(folded) for day in set(dates_of_birth) if day is not None):
        found.append("date of birth")
    numbers = {p for p in map(_nhs_pattern, set(nhs_numbers)) if p is not None}
    if any(p.search(folded) for p in numbers):
        found.append("NHS number")
    return found


def details_message(found: list[str]) -> str:
    """ "the child's name and date of birth": what was found, by kind only."""
    kinds = found[0] if len(found) == 1 else f"{', '.join(found[:-1])} and {found[-1]}"
    return f"the child's {kinds}"
