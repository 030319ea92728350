"""Register pages (lists): the chair's register view, its CSV and Excel exports, the heat map and
the operational priorities. Only people who may see the register get them (403 otherwise)."""

from __future__ import annotations

import csv
import datetime
import tempfile
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from subgroups.models import IssueSource, IssueStatus
from subgroups.models.register import reference_for
from subgroups.selectors import lists as selectors
from subgroups.selectors.lists import ExportRow

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

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
XLSX_DATE_FORMAT = "d mmmm yyyy"
XLSX_WIDTHS = [10, 40, 12, 20, 40, 11, 30]
# The CSV export is sent this many lines at a time.
CSV_LINES_A_TIME = 500
STATUS_LABELS = dict(IssueStatus.choices)
SOURCE_LABELS = dict(IssueSource.choices)


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
    priorities = selectors.operational_priorities(request.user, page_number=request.GET.get("page"))
    return render(request, "subgroups/priorities.html", {"priorities": priorities})


# Exports ------------------------------------------------------------------------------------------


def guard(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula, made plain text with a leading
    apostrophe; other values are left as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _person(row: ExportRow) -> str:
    full_name = f"{row['owner__first_name']} {row['owner__last_name']}".strip()
    return full_name or str(row["owner__email"])


def _export_row(row: ExportRow) -> list[object]:
    """The issue's cells, in the order of EXPORT_HEADERS: dates as dates, numbers as numbers."""
    return [
        reference_for(row["pk"]),
        row["title"],
        STATUS_LABELS.get(row["status"], row["status"]),
        SOURCE_LABELS.get(row["source"], row["source"]),
        "; ".join(row["agencies"]),
        "Yes" if row["is_countywide"] else "No",
        row["priority"],
        row["likelihood"],
        row["impact"],
        row["score"],
        row["rating__name"] or "",
        _person(row),
        row["review_date"],
        row["proposed_improvement"],
        timezone.localdate(row["created_at"]),
    ]


def _filename(extension: str) -> str:
    return f"improving-outcomes-register-{timezone.localdate():%Y-%m-%d}.{extension}"


def _csv_cell(value: object) -> object:
    if isinstance(value, datetime.date):
        return value.isoformat()
    return guard(value)


class _Echo:
    """A file that hands back what is written to it: the CSV writer's line, to stream."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[ExportRow]) -> Iterator[str]:
    """The CSV file a few hundred lines at a time: a byte-order mark and the header, then a line
    an issue."""
    writer = csv.writer(_Echo())
    lines = ["\ufeff" + writer.writerow(EXPORT_HEADERS)]
    for row in rows:
        lines.append(writer.writerow([_csv_cell(value) for value in _export_row(row)]))
        if len(lines) >= CSV_LINES_A_TIME:
            yield "".join(lines)
            lines = []
    yield "".join(lines)


def _xlsx_cell(sheet: WriteOnlyWorksheet, value: object) -> object:
    # A workbook cannot hold control characters: they are dropped rather than refused.
    if isinstance(value, str):
        return guard(ILLEGAL_CHARACTERS_RE.sub("", value))
    if isinstance(value, datetime.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = XLSX_DATE_FORMAT
        return cell
    return value


def write_xlsx(rows: Iterable[ExportRow], out) -> None:
    """The register as a workbook written row by row (openpyxl's write-only mode keeps only
    the row in hand in memory) into `out`, a binary file."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Register")
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDEFGHIJKLMNO", XLSX_WIDTHS, strict=False):
        sheet.column_dimensions[letter].width = width
    bold = Font(bold=True)
    header = []
    for title in EXPORT_HEADERS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in _export_row(row)])
    book.save(out)


@require_GET
def issue_export_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered, sorted register as CSV, streamed as it is read: UTF-8 with a byte-order
    mark, so that Excel reads names with accents as they are."""
    rows = selectors.register_export(request.user, request.GET)
    response = StreamingHttpResponse(csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    return response


@require_GET
def issue_export_xlsx(request: HttpRequest) -> FileResponse:
    """The filtered, sorted register as an Excel workbook: a bold header row, dates as dates.
    The workbook is built in a temporary file (a zip is finished before it can be read) and
    sent from there a block at a time; the file goes when the response is closed."""
    rows = selectors.register_export(request.user, request.GET)
    # Not a `with` block: the response closes the file once it has sent it.
    out = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
    try:
        write_xlsx(rows, out)
        out.seek(0)
    except BaseException:
        out.close()
        raise
    return FileResponse(out, as_attachment=True, filename=_filename("xlsx"), content_type=XLSX_TYPE)
