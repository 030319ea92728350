"""The panel's statistics and its annual reports: aggregates only, never a child.

The panel team and the board chair see them (others: 403 on the list pages, 404 on a report's
pages); only the panel team asks for a report. A report's files are served once it is made.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from hscb.lib.uploads import serve_document

from ..forms.statistics import ALL_FIGURES, PUBLISHED, ReportRequestForm, StatisticsFilterForm
from ..models import AnnualReport, ReportStatus
from ..selectors import statistics as selectors
from ..services import statistics as services

TEMPLATES = "cdop/statistics/"


def _may_see(request: HttpRequest) -> None:
    if not request.user.has_perm("cdop.see_statistics"):
        raise PermissionDenied("The panel's statistics are for the panel and the board chair.")


@require_GET
def statistics(request: HttpRequest) -> HttpResponse:
    _may_see(request)
    years = selectors.year_choices()
    # What is not asked for is this year's figures, all of them.
    data = request.GET.copy()
    for name, default in (("year", str(years[0])), ("published", ALL_FIGURES)):
        if not data.get(name):
            data[name] = default
    form = StatisticsFilterForm(data, years=years)
    year, published = years[0], False
    if form.is_valid():
        year = form.cleaned_data["year"] or year
        published = form.cleaned_data["published"] == PUBLISHED
    # Exact small numbers are for the panel and the secretariat, who hold the records; anyone
    # else (the board chair) sees the figures as published.
    only_published = not request.user.has_perm("cdop.see_deaths")
    published = published or only_published
    stats = selectors.statistics_for(year=year)
    below = settings.CDOP_SUPPRESS_BELOW

    def sections(tables):
        return [
            {"table": t, "rows": t.published(below)} if published else {"chart": t.chart()}
            for t in tables
        ]

    return render(
        request,
        TEMPLATES + "statistics.html",
        {
            "form": form,
            "year": year,
            "published": published,
            "only_published": only_published,
            "below": below,
            "stats": stats,
            "for_the_year": sections(stats.for_the_year()),
            "trends": sections(stats.trends()),
        },
    )


@require_http_methods(["GET", "POST"])
def report_list(request: HttpRequest) -> HttpResponse:
    _may_see(request)
    can_make = request.user.has_perm("cdop.make_report")
    if request.method == "POST" and not can_make:
        raise PermissionDenied("Only the panel's members and the secretariat ask for reports.")
    form = None
    if can_make:
        form = ReportRequestForm(
            request.POST if request.method == "POST" else None,
            initial={"year": str(timezone.localdate().year - 1)},
        )
        if request.method == "POST" and form.is_valid():
            try:
                report = services.report_request(year=form.cleaned_data["year"], by=request.user)
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(
                    request,
                    f"You asked for the annual report for {report.year}. This page shows how "
                    "far it has got.",
                )
                return redirect(report)
    return render(
        request,
        TEMPLATES + "report_list.html",
        {"form": form, "page": selectors.report_page(request.GET.get("page"))},
    )


@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.get_report_for_user(request.user, pk)
    return render(
        request,
        TEMPLATES + "report_detail.html",
        {
            "report": report,
            "stages": selectors.stage_states(report),
            "stuck": services.is_stuck(report),
            "is_done": report.status == ReportStatus.DONE,
            "is_working": report.status in (ReportStatus.QUEUED, ReportStatus.RUNNING),
        },
    )


@never_cache
@require_GET
def report_progress(request: HttpRequest, pk: int) -> JsonResponse:
    report = selectors.get_report_for_user(request.user, pk)
    return JsonResponse(
        {"status": report.status, "progress": report.progress, "stage": report.stage}
    )


def _done(request: HttpRequest, pk: int) -> AnnualReport:
    report = selectors.get_report_for_user(request.user, pk)
    if report.status != ReportStatus.DONE:
        raise Http404("The report is not ready yet.")
    return report


@never_cache
@require_GET
def report_pdf(request: HttpRequest, pk: int) -> FileResponse:
    report = _done(request, pk)
    if not report.pdf:
        raise Http404("The report has no PDF.")
    return serve_document(
        report.pdf,
        name=f"cdop-annual-report-{report.year}.pdf",
        missing="The PDF of this report is missing.",
    )


@never_cache
@require_GET
def report_csv(request: HttpRequest, pk: int) -> FileResponse:
    report = _done(request, pk)
    if not report.csv:
        raise Http404("The report has no CSV.")
    try:
        handle = report.csv.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("The CSV of this report is missing.") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"cdop-annual-report-{report.year}.csv",
        content_type="text/csv; charset=utf-8",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
