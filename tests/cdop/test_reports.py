"""The annual report: asked for by the panel team, made by a Celery task (eager here) in stages
with its progress recorded, as a PDF and a CSV with small numbers suppressed; safe to run twice;
a failure ends "failed", never "being made"; its files are served only once it is done."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from cdop.models import AnnualReport, ChildDeath, Expectation, ReportStatus
from cdop.services import statistics as services
from cdop.tasks.reports import build_annual_report
from tests.cdop.factories import AnnualReportFactory, ChildDeathFactory, ensure_categories
from tests.hscb.test_bad_input import assert_error_page

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)
D = datetime.date


@pytest.fixture(autouse=True)
def mid_june():
    with time_machine.travel(
        timezone.make_aware(datetime.datetime.combine(TODAY, datetime.time(10))), tick=False
    ):
        yield


@pytest.fixture
def deaths(board):
    """2025: two neonatal deaths (expected) and three of children aged 1 to 4."""
    ensure_categories()
    made = [
        ChildDeathFactory(
            date_of_birth=D(2025, 3, 1),
            died_on=D(2025, 3, 2 + n),
            expectation=Expectation.EXPECTED,
            last_name="Zebedee-Quarrington",
        )
        for n in range(2)
    ]
    made += [
        ChildDeathFactory(date_of_birth=D(2022, 1, 1), died_on=D(2025, 6, 1 + n)) for n in range(3)
    ]
    return made


def ask(client, year="2025", **kwargs):
    return client.post("/cdop/reports/", {"year": year}, **kwargs)


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.fixture
def made(client, deaths, cdop_member, django_capture_on_commit_callbacks):
    client.force_login(cdop_member)
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(client)
    report = AnnualReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == report.get_absolute_url()
    report.refresh_from_db()
    return report


# Made end to end ------------------------------------------------------------------------------


def test_the_report_is_made_as_a_pdf_and_a_csv_with_small_numbers_held_back(made, cdop_member):
    assert made.status == ReportStatus.DONE
    assert made.progress == 100
    assert made.stage == services.READY
    assert made.requested_by == cdop_member
    assert made.suppress_below == 3
    assert made.finished_at is not None
    assert made.pdf.read().startswith(b"%PDF")
    rows = csv_rows(made.csv.read())
    assert rows[0] == ["measure", "category", "year", "value"]
    assert ["Deaths", "All", "2025", "5"] in rows
    # 5 deaths, 2 neonatal and 3 aged 1 to 4: the 2 alone would be given away by the total, so
    # the 3 is withheld with it, and both read the same (see test_suppression).
    assert ["Deaths by age band", "0 to 27 days", "2025", "withheld"] in rows
    assert ["Deaths by age band", "1 to 4 years", "2025", "withheld"] in rows
    assert ["Deaths by age band", "5 to 9 years", "2025", "0"] in rows
    assert ["Deaths by expected or unexpected", "Expected", "2025", "withheld"] in rows
    assert ["Deaths by expected or unexpected", "Unexpected", "2025", "withheld"] in rows
    assert ["Completed reviews", "All", "2025", "0"] in rows
    assert ["Deaths", "All", "2021", "0"] in rows  # the trend's years
    assert not any(row[3] in ("1", "2") for row in rows[1:])
    assert "Zebedee" not in made.csv.read().decode("utf-8-sig")


def test_the_pdf_has_the_tables_the_trends_and_the_notes(deaths, board):
    report = AnnualReportFactory(year=2025, suppress_below=3)
    context = services.report_context(report, services.statistics_for(year=2025))
    from django.template.loader import render_to_string

    html = render_to_string(services.PDF_TEMPLATE, context)
    assert "Child Death Overview Panel: annual report 2025" in html
    assert "Trends, 2021 to 2025" in html
    assert '<td class="number">withheld</td>' in html
    assert "as many others as it takes" in html  # the rule, in words
    assert "fewer than 3" in html
    assert escape("“fewer than 3”") in html or "“fewer than 3”" in html
    assert "Deliberately inflicted injury, abuse or neglect" in html  # the categories
    assert "choose" in html and "lowest number" in html
    assert "Zebedee" not in html
    assert '<td class="number">2</td>' not in html
    assert '<td class="number">1</td>' not in html


def test_each_stage_is_recorded_while_the_report_is_made(
    client, deaths, cdop_member, monkeypatch, django_capture_on_commit_callbacks
):
    seen = []
    real = services.render_pdf

    def watching(template, context):
        seen.append(AnnualReport.objects.values_list("status", "progress", "stage").get())
        return real(template, context)

    monkeypatch.setattr(services, "render_pdf", watching)
    client.force_login(cdop_member)
    with django_capture_on_commit_callbacks(execute=True):
        ask(client)
    assert seen == [(ReportStatus.RUNNING, 50, "Writing the PDF")]
    assert AnnualReport.objects.get().progress == 100


def test_a_report_asked_for_with_a_threshold_of_2_fails_rather_than_give_numbers_away(deaths):
    # The settings refuse 2 ("fewer than 2" could only be 1); a report stored with it is not made.
    report = AnnualReportFactory(year=2025, suppress_below=2, status=ReportStatus.QUEUED)
    assert services.report_build(report_pk=report.pk) is False
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert not report.pdf and not report.csv


def test_running_the_task_twice_does_nothing_the_second_time(made):
    pdf_name, finished = made.pdf.name, made.finished_at
    assert build_annual_report.delay(made.pk).get() is False
    made.refresh_from_db()
    assert (made.pdf.name, made.finished_at, made.status) == (pdf_name, finished, ReportStatus.DONE)


def test_a_failure_marks_the_report_failed_with_a_plain_message(
    client, deaths, cdop_member, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(template, context):
        raise RuntimeError("pango exploded at 0xdeadbeef")

    monkeypatch.setattr(services, "render_pdf", broken)
    client.force_login(cdop_member)
    with django_capture_on_commit_callbacks(execute=True):
        ask(client)
    report = AnnualReport.objects.get()
    assert report.status == ReportStatus.FAILED
    assert report.stage == "Failed while writing the PDF"
    assert "something went wrong while writing the PDF" in report.error
    assert "deadbeef" not in report.error
    assert report.finished_at is not None
    assert not report.pdf and not report.csv
    text = client.get(report.get_absolute_url()).content.decode()
    assert "The report could not be made" in text
    assert report.error in text.replace("&#x27;", "'")
    assert client.get(f"/cdop/reports/{report.pk}/report.pdf").status_code == 404
    # It can be asked for again.
    with django_capture_on_commit_callbacks(execute=True):
        assert ask(client).status_code == 302
    assert AnnualReport.objects.count() == 2


# Pages ----------------------------------------------------------------------------------------


def test_a_report_being_made_shows_its_progress_and_polls_without_meta_refresh(
    client, board, cdop_member
):
    report = AnnualReportFactory(
        year=2025, status=ReportStatus.RUNNING, progress=50, stage="Writing the PDF"
    )
    client.force_login(cdop_member)
    text = client.get(report.get_absolute_url()).content.decode()
    assert "50%: Writing the PDF" in text
    assert 'value="50"' in text
    assert "govuk-task-list" in text
    assert text.count(">Completed<") == 2
    assert "In progress" in text
    assert "js/report-progress.js" in text
    assert f'data-progress-url="/cdop/reports/{report.pk}/progress/"' in text
    assert f'href="{report.get_absolute_url()}">Refresh' in text
    assert 'http-equiv="refresh"' not in text
    assert "report.pdf" not in text
    progress = client.get(f"/cdop/reports/{report.pk}/progress/")
    assert progress.json() == {"status": "running", "progress": 50, "stage": "Writing the PDF"}
    assert "no-store" in progress["Cache-Control"]


def test_downloads_are_not_found_before_the_report_is_done(client, board, cdop_member):
    report = AnnualReportFactory(year=2025)
    client.force_login(cdop_member)
    assert client.get(f"/cdop/reports/{report.pk}/report.pdf").status_code == 404
    assert client.get(f"/cdop/reports/{report.pk}/report.csv").status_code == 404


def test_a_done_report_downloads_as_attachments_never_cached(client, made):
    text = client.get(made.get_absolute_url()).content.decode()
    assert f"/cdop/reports/{made.pk}/report.pdf" in text
    assert "js/report-progress.js" not in text
    pdf = client.get(f"/cdop/reports/{made.pk}/report.pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == 'attachment; filename="cdop-annual-report-2025.pdf"'
    assert pdf["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in pdf["Cache-Control"]
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    table = client.get(f"/cdop/reports/{made.pk}/report.csv")
    assert table["Content-Type"].startswith("text/csv")
    assert "attachment" in table["Content-Disposition"]
    assert "no-store" in table["Cache-Control"]
    assert table["X-Content-Type-Options"] == "nosniff"
    assert b"Deaths by age band,0 to 27 days,2025,withheld" in b"".join(table.streaming_content)


def test_the_list_shows_the_reports_made(client, made, cdop_member):
    text = client.get("/cdop/reports/").content.decode()
    assert made.get_absolute_url() in text
    assert escape(cdop_member.get_full_name()) in text
    assert "Ready" in text
    assert "100%" in text
    assert "Make a report" in text


def test_the_board_chair_sees_reports_but_cannot_ask_for_one(client, made, board_chair):
    client.force_login(board_chair)
    listing = client.get("/cdop/reports/")
    assert listing.status_code == 200
    assert "Make a report" not in listing.content.decode()
    assert ask(client).status_code == 403
    assert AnnualReport.objects.count() == 1
    assert client.get(made.get_absolute_url()).status_code == 200
    assert client.get(f"/cdop/reports/{made.pk}/progress/").status_code == 200
    assert client.get(f"/cdop/reports/{made.pk}/report.pdf").status_code == 200


@pytest.mark.parametrize("role", ["member", "agency_staff", "case_review_member", "outsider"])
def test_others_get_403_on_the_list_and_404_on_a_report(client, request, made, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get("/cdop/reports/").status_code == 403
    assert ask(client).status_code == 403
    for path in ("", "progress/", "report.pdf", "report.csv"):
        assert client.get(f"/cdop/reports/{made.pk}/{path}").status_code == 404
    assert AnnualReport.objects.count() == 1


@pytest.mark.parametrize(
    "year", ["", "abc", "1999", "2027", "20 25", "2\x0025", "99999999999999999999"]
)
def test_the_report_form_refuses_a_year_it_cannot_take(client, board, cdop_member, year):
    client.force_login(cdop_member)
    assert_error_page(ask(client, year), "year")
    assert not AnnualReport.objects.exists()


# The service's rules --------------------------------------------------------------------------


def test_the_service_refuses_a_year_out_of_range_or_not_a_year(board, cdop_member):
    for year in (1999, 2027, "2025", True):
        with pytest.raises(ValidationError) as refused:
            services.report_request(year=year, by=cdop_member)
        assert "year" in refused.value.message_dict
    assert not AnnualReport.objects.exists()


def test_only_the_panel_team_asks_for_a_report(board, board_chair, member):
    for person in (board_chair, member):
        with pytest.raises(PermissionDenied):
            services.report_request(year=2025, by=person)
    assert not AnnualReport.objects.exists()


def test_a_report_already_being_made_is_not_asked_for_again(client, board, cdop_member):
    services.report_request(year=2025, by=cdop_member)
    with pytest.raises(ValidationError, match="already being made"):
        services.report_request(year=2025, by=cdop_member)
    client.force_login(cdop_member)
    assert "already being made" in assert_error_page(ask(client), "year")
    assert services.report_request(year=2024, by=cdop_member).year == 2024


def test_a_report_stuck_for_long_can_be_asked_for_again(client, board, cdop_member):
    stuck = services.report_request(year=2025, by=cdop_member)
    AnnualReport.objects.filter(pk=stuck.pk).update(
        status=ReportStatus.RUNNING,
        requested_at=timezone.now() - datetime.timedelta(hours=2),
    )
    client.force_login(cdop_member)
    assert "probably stopped" in client.get(stuck.get_absolute_url()).content.decode()
    assert services.report_request(year=2025, by=cdop_member).pk != stuck.pk


def list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/cdop/reports/").status_code == 200
    return len(queries)


def test_the_list_runs_the_same_number_of_queries_as_reports_grow(client, board, cdop_member):
    AnnualReportFactory()
    client.force_login(cdop_member)
    list_queries(client)
    before = list_queries(client)
    AnnualReportFactory.create_batch(8)
    assert list_queries(client) == before
    assert ChildDeath.objects.count() == 0
