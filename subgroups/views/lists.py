"""Register pages (lists): the chair's register view, its CSV and Excel exports, the heat map and
the operational priorities. Only people who may see the register get them (403 otherwise)."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from subgroups.models import Issue
from subgroups.selectors import lists as selectors

EXPORT_HEADERS = [
    "Reference",
    "Title",
    "Status",
    "Source",
    "Agencies",
    "Countywide",
    "Business plan priority",
    "Likelihood",
    "Impact",
    "Score",
    "Rating",
    "Owner",
    "Review date",
    "Proposed improvement",
    "Raised on",
]
# A spreadsheet reads a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_GET
def issue_list(request: HttpRequest) -> HttpResponse:
    listing = selectors.register(request.user, request.GET, page_number=request.GET.get("page"))
    # `form` lets the base template mark the title when a filter cannot be read.
    context = {"listing": listing, "form": listing.filterset.form}
    return render(request, "subgroups/register_list.html", context)


@require_GET
def heat_map(request: HttpRequest) -> HttpResponse:
    return render(
        request, "subgroups/heat_map.html", {"heat_map": selectors.heat_map(request.user)}
    )


@require_GET
def operational_priorities(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "subgroups/priorities.html",
        {"priorities": selectors.operational_priorities(request.user)},
    )


# Exports ------------------------------------------------------------------------------------------


def guard(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula, made plain text with a leading
    apostrophe; other values are left as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _person(user) -> str:
    return user.get_full_name() or user.email


def _export_row(issue: Issue) -> list[object]:
    """The issue's cells, in the order of EXPORT_HEADERS: dates as dates, numbers as numbers."""
    priority = f"{issue.priority.plan.period}: {issue.priority}" if issue.priority else ""
    return [
        issue.reference,
        issue.title,
        issue.get_status_display(),
        issue.get_source_display(),
        "; ".join(agency.name for agency in issue.agencies.all()),
        "Yes" if issue.is_countywide else "No",
        priority,
        issue.likelihood,
        issue.impact,
        issue.score,
        issue.rating.name if issue.rating else "",
        _person(issue.owner),
        issue.review_date,
        issue.proposed_improvement,
        timezone.localdate(issue.created_at),
    ]


def _filename(extension: str) -> str:
    return f"improving-outcomes-register-{timezone.localdate():%Y-%m-%d}.{extension}"


def _attachment(response: HttpResponse, extension: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{_filename(extension)}"'
    return response


def _csv_cell(value: object) -> object:
    if isinstance(value, datetime.date):
        return value.isoformat()
    return guard(value)


def write_csv(issues: Iterable[Issue], out) -> None:
    writer = csv.writer(out)
    writer.writerow(EXPORT_HEADERS)
    for issue in issues:
        writer.writerow([_csv_cell(value) for value in _export_row(issue)])


def _xlsx_cell(value: object) -> object:
    # A workbook cannot hold control characters: they are dropped rather than refused.
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return guard(value)


@require_GET
def issue_export_csv(request: HttpRequest) -> HttpResponse:
    """The filtered, sorted register as CSV: UTF-8 with a byte-order mark, so that Excel reads
    names with accents as they are."""
    issues = selectors.register_export(request.user, request.GET)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response.write("\ufeff")
    write_csv(issues, response)
    return _attachment(response, "csv")


@require_GET
def issue_export_xlsx(request: HttpRequest) -> HttpResponse:
    """The filtered, sorted register as an Excel workbook: a bold header row, dates as dates."""
    issues = selectors.register_export(request.user, request.GET)
    book = Workbook()
    sheet = book.active
    sheet.title = "Register"
    sheet.append(EXPORT_HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for issue in issues:
        sheet.append([_xlsx_cell(value) for value in _export_row(issue)])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, datetime.date):
                cell.number_format = "d mmmm yyyy"
    for letter, width in zip("ABCDEFGHIJKLMNO", [10, 40, 12, 20, 40, 11, 30], strict=False):
        sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return _attachment(HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE), "xlsx")
