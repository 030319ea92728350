"""The panel's annual report: asked for by the panel team for any year, made by a Celery task
in stages that record its progress, as a PDF (WeasyPrint) and a CSV of every figure.

The annual report is for publication: its small numbers are held back with the report's
threshold (the setting `CDOP_SUPPRESS_BELOW` when it was asked for), by the same rule and the
same figures as the statistics' published view (`Statistics.published`, `hscb.lib.suppression`).

The task is safe to run twice: it claims the report with a conditional update from "waiting" to
"being made", so a second run finds nothing to do. Whatever goes wrong while it is made, the
report ends "failed" with a plain message, never left "being made".
"""

from __future__ import annotations

import csv
import datetime
import io
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from hscb.lib.checks import queue_after_commit
from hscb.lib.pdf import render_pdf
from hscb.models import User

from ..models import AnnualReport, DeathCategory, ReportStatus
from ..selectors.statistics import Statistics, statistics_for
from .people import panel_group

logger = logging.getLogger(__name__)

EARLIEST_YEAR = 2000
PDF_TEMPLATE = "pdf/cdop_annual_report.html"
CSV_HEADER = ("measure", "category", "year", "value")
# A report not finished this long after it was asked for has stopped (its worker died, or no
# worker took it): another may be asked for, and its page says so.
STUCK_AFTER = datetime.timedelta(minutes=30)
# What a spreadsheet would read as a formula at the start of a cell.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Stage:
    key: str
    label: str  # on the report's page, as a task
    doing: str  # the report's `stage` while it runs
    start: int  # per cent done when it starts
    end: int


STAGES: tuple[Stage, ...] = (
    Stage("count", "Count the deaths and reviews", "Counting the deaths and reviews", 0, 30),
    Stage("tables", "Make the tables and trends", "Making the tables and trends", 30, 50),
    Stage("pdf", "Write the PDF", "Writing the PDF", 50, 85),
    Stage("csv", "Write the CSV", "Writing the CSV", 85, 95),
    Stage("save", "Save the files", "Saving the files", 95, 100),
)
STAGE = {stage.key: stage for stage in STAGES}
READY = "Ready to download"


def is_stuck(report: AnnualReport, now: datetime.datetime | None = None) -> bool:
    """Whether the report was asked for long ago and is still waiting or being made."""
    now = now or timezone.now()
    return (
        report.status in (ReportStatus.QUEUED, ReportStatus.RUNNING)
        and report.requested_at is not None
        and now - report.requested_at > STUCK_AFTER
    )


def _in_hand(year: int) -> QuerySet[AnnualReport]:
    """Reports of `year` waiting or being made, and not stuck."""
    return AnnualReport.objects.filter(
        Q(year=year),
        Q(status__in=[ReportStatus.QUEUED, ReportStatus.RUNNING]),
        Q(requested_at__gte=timezone.now() - STUCK_AFTER),
    )


def report_request(*, year: int, by: User) -> AnnualReport:
    """Ask for the annual report of `year`: it is queued to be made once this is committed."""
    from ..tasks.reports import build_annual_report

    if not by.has_perm("cdop.make_report"):
        raise PermissionDenied("Only the panel's members and the secretariat ask for reports.")
    this_year = timezone.localdate().year
    if isinstance(year, bool) or not isinstance(year, int):
        raise ValidationError({"year": ["Enter the year as 4 numbers, like 2025"]})
    if not EARLIEST_YEAR <= year <= this_year:
        raise ValidationError({"year": [f"Enter a year from {EARLIEST_YEAR} to {this_year}"]})
    with transaction.atomic():
        if _in_hand(year).exists():
            raise ValidationError(
                {"year": [f"A report for {year} is already being made: wait for it to finish"]}
            )
        report = AnnualReport.objects.create(
            year=year, suppress_below=settings.CDOP_SUPPRESS_BELOW, requested_by=by
        )
        queue_after_commit(build_annual_report, report.pk)
    return report


# Making the report ----------------------------------------------------------------------------


def _enter(report_pk: int, stage: Stage) -> Stage:
    AnnualReport.objects.filter(pk=report_pk, status=ReportStatus.RUNNING).update(
        progress=stage.start, stage=stage.doing
    )
    return stage


def _published_table(table, below: int) -> dict[str, object]:
    return {"table": table, "rows": table.published(below)}


def report_context(report: AnnualReport, stats: Statistics) -> dict[str, object]:
    """What the PDF shows: the year's tables and the trends, with small numbers held back."""
    below = report.suppress_below
    return {
        "report": report,
        "board_name": settings.BOARD_NAME,
        "panel": panel_group(),
        "year": report.year,
        "years": stats.years,
        "below": below,
        "made_on": timezone.localdate(),
        "tables": [_published_table(t, below) for t in stats.for_the_year()],
        "trends": [_published_table(t, below) for t in stats.trends()],
        "categories": list(DeathCategory.objects.filter(is_active=True).order_by("number")),
    }


def _cell(value: object) -> str:
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def report_csv(stats: Statistics, below: int) -> bytes:
    """One row per figure, as published: measure, category, year, value."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    published = stats.published(below)
    for measure, category, year, _count in stats.figures():
        writer.writerow(
            (_cell(measure), _cell(category), year, published[(measure, category, year)])
        )
    # With a byte order mark, a spreadsheet opens it as UTF-8.
    return out.getvalue().encode("utf-8-sig")


def _file_name(report: AnnualReport, extension: str) -> str:
    return f"cdop-annual-report-{report.year}.{extension}"


def _fail(report_pk: int, stage: Stage, stored: list) -> None:
    for file in stored:
        if file.name:
            file.storage.delete(file.name)
    report = AnnualReport.objects.filter(pk=report_pk).first()
    if report is None:
        return
    report.status = ReportStatus.FAILED
    report.stage = f"Failed while {stage.doing[:1].lower()}{stage.doing[1:]}"
    report.error = (
        f"The report could not be made: something went wrong while "
        f"{stage.doing[:1].lower()}{stage.doing[1:]}. Ask for it again; if it fails again, "
        "tell the board's business unit."
    )
    report.finished_at = timezone.now()
    report.save(update_fields=["status", "stage", "error", "finished_at", "pdf", "csv"])


def report_build(*, report_pk: int) -> bool:
    """Make the report, recording each stage as it goes. Returns False when there was nothing
    to do (the report was not waiting: another run has it) or the report failed."""
    claimed = AnnualReport.objects.filter(pk=report_pk, status=ReportStatus.QUEUED).update(
        status=ReportStatus.RUNNING,
        started_at=timezone.now(),
        progress=0,
        stage=STAGES[0].doing,
        error="",
    )
    if not claimed:
        return False
    stage = STAGES[0]
    stored: list = []
    try:
        report = AnnualReport.objects.select_related("requested_by").get(pk=report_pk)
        stats = statistics_for(year=report.year)
        stage = _enter(report_pk, STAGE["tables"])
        context = report_context(report, stats)
        stage = _enter(report_pk, STAGE["pdf"])
        pdf = render_pdf(PDF_TEMPLATE, context)
        stage = _enter(report_pk, STAGE["csv"])
        table = report_csv(stats, report.suppress_below)
        stage = _enter(report_pk, STAGE["save"])
        report.pdf.save(_file_name(report, "pdf"), ContentFile(pdf), save=False)
        stored.append(report.pdf)
        report.csv.save(_file_name(report, "csv"), ContentFile(table), save=False)
        stored.append(report.csv)
        report.status = ReportStatus.DONE
        report.progress = 100
        report.stage = READY
        report.finished_at = timezone.now()
        report.save(update_fields=["pdf", "csv", "status", "progress", "stage", "finished_at"])
    except Exception:
        logger.exception("The annual report %s failed while %s", report_pk, stage.doing.lower())
        _fail(report_pk, stage, stored)
        return False
    return True
