"""Error reports that never carry a child's details (DESIGN.md §9).

An error email (Django's `AdminEmailHandler`) and the technical error page are built by an
exception reporter from the request and the traceback. Anything a person typed may name a child,
so for every view, whatever it forgot to mark:

- every POST and GET value, every uploaded file's name and the query string wherever the request
  repeats it (the URL, `QUERY_STRING`, the referring page) are replaced by stars; the names of the
  fields stay, so the report still says which form was sent;
- no local variable's value is shown in the traceback's frames (a form's data, a service's
  cleaned answers, a record loaded for the page), only its name and type;
- the exception's message, its notes and the messages of the exceptions that led to it are cut
  to their first line (a database's "DETAIL" line repeats the failing row's values), and every
  value sent with the request, and anything that looks like an NHS number or a date, is starred
  out of them. A message built from a record's fields that were not sent with the request (a
  child's name read from the database) cannot be recognised: code must not raise such messages.

Settings: `DEFAULT_EXCEPTION_REPORTER = "hscb.lib.errors.ChildSafeExceptionReporter"` and
`DEFAULT_EXCEPTION_REPORTER_FILTER = "hscb.lib.errors.ChildSafeExceptionReporterFilter"`.
"""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Iterable

from django.http import HttpRequest, QueryDict
from django.utils.datastructures import MultiValueDict
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

# Request headers and environment entries that repeat the query string or another address's.
ADDRESS_META = ("HTTP_REFERER", "RAW_URI", "REQUEST_URI")
# Ten digits, spaced or dashed as people write NHS numbers ("943 476 5919", "943-476-5919").
NHS_LIKE = re.compile(r"(?<!\d)\d{3}[ -]?\d{3}[ -]?\d{4}(?!\d)")
# Dates as code and people write them: 2021-03-17, datetime.date(2021, 3, 17), 17 March 2021,
# 17/03/2021. A date of birth is rarely sent as one value, so it is looked for in these forms.
MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
DATE_LIKE = re.compile(
    r"\d{4}-\d{1,2}-\d{1,2}"
    r"|date(?:time)?\.date(?:time)?\([^)]*\)"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)? (?:{MONTHS}),? \d{{4}}\b"
    r"|\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b",
    re.IGNORECASE,
)
# Shorter values sent (a "no", a day of the month) name no one, and starring each of them would
# make a message unreadable: they are left in it.
SHORTEST = 3


class Hidden:
    """What a report shows for a value it keeps back: its type, never its contents."""

    def __init__(self, value: object) -> None:
        self.kind = type(value).__qualname__

    def __repr__(self) -> str:
        return f"<{self.kind}: hidden>"


def _without_query(address: str) -> str:
    path, mark, _query = address.partition("?")
    return f"{path}?{SafeExceptionReporterFilter.cleansed_substitute}" if mark else path


class ChildSafeExceptionReporterFilter(SafeExceptionReporterFilter):
    """Hides what was sent and what the code held, for every view and whatever `DEBUG` says
    (see the module's docstring)."""

    def is_active(self, request: HttpRequest | None) -> bool:
        return True

    def _starred(self, values: MultiValueDict) -> MultiValueDict:
        starred = values.copy()
        for key in starred:
            starred.setlist(key, [self.cleansed_substitute])
        return starred

    def get_post_parameters(self, request: HttpRequest | None) -> MultiValueDict | dict:
        if request is None:
            return {}
        return self._starred(request.POST)

    def get_query_parameters(self, request: HttpRequest) -> MultiValueDict:
        return self._starred(request.GET)

    def get_file_parameters(self, request: HttpRequest) -> MultiValueDict:
        # A file's name may be the child's ("Amelia O'Brien chronology.pdf").
        return self._starred(request.FILES)

    def get_safe_request_meta(self, request: HttpRequest | None) -> dict:
        meta = super().get_safe_request_meta(request)
        if meta.get("QUERY_STRING"):
            meta["QUERY_STRING"] = self.cleansed_substitute
        for key in ADDRESS_META:
            if isinstance(meta.get(key), str):
                meta[key] = _without_query(meta[key])
        return meta

    def get_traceback_frame_variables(self, request, tb_frame) -> Iterable[tuple[str, object]]:
        # Any local may hold what was typed or what a record says: keep the names only.
        return [(name, Hidden(value)) for name, value in tb_frame.f_locals.items()]


class ChildSafeExceptionReporter(ExceptionReporter):
    """Django's reporter, with the parts its filter does not reach hidden too: the GET values,
    the files' names, the address's query string and the exception messages."""

    def __init__(self, request, exc_type, exc_value, tb, is_email=False) -> None:
        super().__init__(request, exc_type, exc_value, tb, is_email=is_email)
        # A request may carry a filter of its own (`request.exception_reporter_filter`): this
        # reporter's guarantees are its own filter's, so that one is not used.
        if not isinstance(self.filter, ChildSafeExceptionReporterFilter):
            self.filter = ChildSafeExceptionReporterFilter()

    def _sent_values(self) -> list[str]:
        if self.request is None:
            return []
        values: set[str] = set()
        try:
            for data in (self.request.GET, self.request.POST):
                if isinstance(data, QueryDict):
                    for _key, items in data.lists():
                        values.update(v.strip() for v in items if isinstance(v, str))
            values.update(f.name for _key, items in self.request.FILES.lists() for f in items)
        except Exception:
            # A request that cannot be read (too large, cut off) was not read out either.
            return []
        values.discard("")
        # Longest first, so that a value inside a longer one does not leave the rest showing.
        return sorted(values, key=len, reverse=True)

    def _scrubbed(self, text: object, sent: list[str], *, first_line: bool = True) -> str:
        """`text` (its first line only, unless told otherwise) with every value sent with the
        request, in any case, and anything like an NHS number or a date, starred."""
        stars = self.filter.cleansed_substitute
        text = str(text)
        if first_line:
            first, more, _rest = text.partition("\n")
            text = f"{first} […]" if more else first
        for value in sent:
            if len(value) >= SHORTEST:
                text = re.sub(re.escape(value), stars, text, flags=re.IGNORECASE)
        return DATE_LIKE.sub(stars, NHS_LIKE.sub(stars, text))

    def get_traceback_data(self) -> dict:
        data = super().get_traceback_data()
        sent = self._sent_values()
        if data.get("exception_value"):
            data["exception_value"] = self._scrubbed(data["exception_value"], sent)
        if data.get("exception_notes"):
            # Notes are lines a program added on purpose, each read as it is.
            data["exception_notes"] = self._scrubbed(
                data["exception_notes"], sent, first_line=False
            )
        for frame in data.get("frames", []):
            cause = frame.get("exc_cause")
            if cause is not None:
                frame["exc_cause"] = self._scrubbed(cause, sent) or type(cause).__qualname__
        if data.get("template_info"):
            data["template_info"] = {
                **data["template_info"],
                "message": self._scrubbed(data["template_info"]["message"], sent),
            }
        data["unicode_hint"] = ""
        if self.request is not None:
            data["request_GET_items"] = self.filter.get_query_parameters(self.request).items()
            data["request_FILES_items"] = self.filter.get_file_parameters(self.request).items()
            data["request_insecure_uri"] = _without_query(data["request_insecure_uri"])
        return data


def scrubbed_message(text: str) -> str:
    """An exception's message as the logs may keep it: the first line only (a database's
    "DETAIL" line repeats the failing row), with anything like an NHS number or a date starred."""
    first, more, _rest = str(text).partition("\n")
    stars = SafeExceptionReporterFilter.cleansed_substitute
    return DATE_LIKE.sub(stars, NHS_LIKE.sub(stars, f"{first} […]" if more else first))


class ChildSafeFormatter(logging.Formatter):
    """The server's log lines: a traceback keeps its frames (file, line, code), but each
    exception's message in the chain is cut as `scrubbed_message` cuts it, and notes are left
    out, as in the error emails. What was sent with the request never reaches a log line here:
    the frames show code, not values."""

    def formatException(self, ei) -> str:
        exception = traceback.TracebackException(*ei, compact=True)
        seen: set[int] = set()
        part: traceback.TracebackException | None = exception
        while part is not None and id(part) not in seen:
            seen.add(id(part))
            part._str = scrubbed_message(part._str)
            part.__notes__ = None
            part = part.__cause__ or part.__context__
        return "".join(exception.format()).rstrip("\n")
