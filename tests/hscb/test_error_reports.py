"""Error reports never carry a child's details (hscb/lib/errors.py): a form that takes a child's
details is sent in full, the service behind it fails, and the error email Django's
`AdminEmailHandler` builds (subject, text and, when asked for, HTML) names no child."""

from __future__ import annotations

import datetime
import logging

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils.log import AdminEmailHandler
from django.views import debug

from hscb.lib.errors import ChildSafeExceptionReporter, ChildSafeExceptionReporterFilter
from tests.casereview.test_notify_views import step_post
from tests.cdop.test_notify_views import form_post, public_post
from tests.clients import BoardClient

pytestmark = pytest.mark.django_db

FIRST, LAST, OTHER = "Zephyrine", "Quillfeather", "Zephy"
NHS_TYPED, NHS_STORED = "943 476 5919", "9434765919"
CIRCUMSTANCES = "Found unresponsive in the cot by Ms Quillfeather at the flat on Moorhen Lane."
HAPPENED = "Brought to A&E by Ms Quillfeather with burns to both hands from the kettle."
BORN = datetime.date(2021, 3, 17)


def date_fields(name: str, day: datetime.date) -> dict[str, str]:
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


def child_data() -> list[str]:
    """Every way the child's details could be written into a report."""
    return [
        FIRST,
        LAST,
        OTHER,
        NHS_TYPED,
        NHS_STORED,
        "Moorhen Lane",
        "burns to both hands",
        BORN.isoformat(),
        repr(BORN),
        "17 March 2021",
        "17/03/2021",
    ]


@pytest.fixture
def reports(settings, monkeypatch):
    """Error emails as production sends them (DEBUG off, an administrator to send them to), with
    the HTML alternative switched on too, so that it is checked as well as the text."""
    settings.DEBUG = False
    settings.ADMINS = [("Board administrator", "admin@board.example")]
    handlers = [
        h for h in logging.getLogger("django.request").handlers if isinstance(h, AdminEmailHandler)
    ]
    assert handlers, "the django.request logger must email the administrators"
    for handler in handlers:
        monkeypatch.setattr(handler, "include_html", True)
    cache.clear()  # the public form's rate limit counts in the cache
    yield
    cache.clear()


def _fail(*args, **kwargs):
    """A service that fails carelessly: what it was given is in its local variables, in its
    message (its date of birth as a date) and in the message of the error that led to it."""
    data = kwargs["data"]
    try:
        raise LookupError(f"no row for NHS number {data.get('nhs_number') or NHS_STORED}")
    except LookupError as cause:
        raise RuntimeError(f"could not save {data}\nDETAIL: {data}") from cause


def error_email(client: BoardClient, url: str, data: dict) -> mail.EmailMessage:
    response = client.post(url, data)
    assert response.status_code == 500
    assert len(mail.outbox) == 1
    return mail.outbox[0]


def assert_names_no_child(message, sent: dict) -> None:
    html = [content for content, kind in message.alternatives if kind == "text/html"]
    assert html, "the HTML alternative should be built too"
    for part, text in (("subject", message.subject), ("text", message.body), ("HTML", html[0])):
        for detail in child_data():
            assert detail not in text, f"{detail!r} is in the error email's {part}"
    # Still useful: which view failed, with what, and which fields were sent.
    assert "RuntimeError" in message.body
    for key in sent:
        assert f"{key} = '********************'" in message.body
    assert "Traceback" in message.body


def _public(client, board, staff):
    return (
        "/report-a-child-death/",
        public_post(
            first_name=FIRST,
            last_name=LAST,
            nhs_number=NHS_TYPED,
            circumstances=CIRCUMSTANCES,
            place_detail="Moorhen Lane",
            **date_fields("date_of_birth", BORN),
        ),
        "cdop.services.deaths.death_notify",
    )


def _signed_in_death(client, board, staff):
    client.force_login(staff)
    return (
        "/child-deaths/notify/",
        form_post(
            first_name=FIRST,
            last_name=LAST,
            nhs_number=NHS_TYPED,
            circumstances=CIRCUMSTANCES,
            place_detail="Moorhen Lane",
            **date_fields("date_of_birth", BORN),
        ),
        "cdop.services.deaths.death_notify",
    )


def _incident_child_step(client, board, staff):
    from casereview.services.notifications import notification_start

    client.force_login(staff)
    draft = notification_start(by=staff)
    data = step_post(
        "child",
        first_name=FIRST,
        last_name=LAST,
        other_names=OTHER,
        nhs_number=NHS_TYPED,
        **date_fields("date_of_birth", BORN),
    )
    return (
        f"/notifications/{draft.pk}/step/child/",
        data,
        "casereview.services.notifications.notification_save_step",
    )


def _incident_what_happened_step(client, board, staff):
    from casereview.services.notifications import notification_start

    client.force_login(staff)
    draft = notification_start(by=staff)
    data = step_post("incident", incident_description=HAPPENED)
    return (
        f"/notifications/{draft.pk}/step/incident/",
        data,
        "casereview.services.notifications.notification_save_step",
    )


FORMS = {
    "public child death form": _public,
    "signed-in child death form": _signed_in_death,
    "serious incident, the child": _incident_child_step,
    "serious incident, what happened": _incident_what_happened_step,
}


@pytest.mark.parametrize("form", list(FORMS))
def test_an_error_email_from_a_form_with_a_childs_details_names_no_child(
    reports, monkeypatch, board, agency_staff, form
):
    client = BoardClient(raise_request_exception=False)
    url, data, service = FORMS[form](client, board, agency_staff)
    monkeypatch.setattr(service, _fail)
    message = error_email(client, url, data)
    assert_names_no_child(message, data)
    assert url.split("?")[0] in message.subject


def test_the_query_string_and_uploaded_file_names_are_hidden_too(rf, settings):
    settings.DEBUG = False
    request = rf.get(f"/case-review/?q={LAST}&nhs={NHS_STORED}", HTTP_REFERER=f"/x/?q={FIRST}")
    try:
        error = ValueError(f"bad search for {LAST}\nDETAIL: Key (nhs_number)=(9434765919)")
        error.add_note(f"the search was {LAST.lower()}")
        raise error
    except ValueError as error:
        reporter = ChildSafeExceptionReporter(
            request, type(error), error, error.__traceback__, is_email=True
        )
        text, html = reporter.get_traceback_text(), reporter.get_traceback_html()
    for report in (text, html):
        assert LAST not in report and FIRST not in report and NHS_STORED not in report
    assert "q = '********************'" in text
    assert "bad search for ******************** […]" in text
    assert "the search was ********************" in text


def test_a_request_that_names_its_own_filter_still_gets_the_childsafe_one(rf):
    request = rf.post("/report-a-child-death/", {"first_name": FIRST})
    request.exception_reporter_filter = debug.SafeExceptionReporterFilter()
    reporter = ChildSafeExceptionReporter(request, None, "boom", None)
    assert isinstance(reporter.filter, ChildSafeExceptionReporterFilter)
    assert FIRST not in reporter.get_traceback_text()


def test_the_settings_use_the_childsafe_reporter_and_filter(settings):
    assert settings.DEFAULT_EXCEPTION_REPORTER == "hscb.lib.errors.ChildSafeExceptionReporter"
    assert isinstance(
        debug.get_default_exception_reporter_filter(), ChildSafeExceptionReporterFilter
    )


@pytest.mark.parametrize("form", list(FORMS))
def test_without_them_the_same_email_would_name_the_child(
    reports, monkeypatch, settings, board, agency_staff, form
):
    """The check above can fail: Django's own reporter puts what was typed in the email."""
    settings.DEFAULT_EXCEPTION_REPORTER = "django.views.debug.ExceptionReporter"
    settings.DEFAULT_EXCEPTION_REPORTER_FILTER = "django.views.debug.SafeExceptionReporterFilter"
    debug.get_default_exception_reporter_filter.cache_clear()
    handlers = [
        h for h in logging.getLogger("django.request").handlers if isinstance(h, AdminEmailHandler)
    ]
    for handler in handlers:
        monkeypatch.setattr(handler, "reporter_class", debug.ExceptionReporter)
    try:
        client = BoardClient(raise_request_exception=False)
        url, data, service = FORMS[form](client, board, agency_staff)
        monkeypatch.setattr(service, _fail)
        message = error_email(client, url, data)
    finally:
        debug.get_default_exception_reporter_filter.cache_clear()
    assert LAST in message.body


def test_a_traceback_in_the_server_logs_keeps_no_row_of_a_child(settings):
    """The console log's formatter cuts each exception's message to its first line and stars
    NHS numbers and dates: a database's DETAIL line repeats the failing row."""
    import logging
    import sys

    from hscb.lib.errors import ChildSafeFormatter

    assert settings.LOGGING["formatters"]["plain"]["()"] == "hscb.lib.errors.ChildSafeFormatter"
    assert settings.LOGGING["handlers"]["console"]["formatter"] == "plain"
    formatter = ChildSafeFormatter("%(levelname)s %(message)s")
    try:
        try:
            raise KeyError("lookup")
        except KeyError as cause:
            raise ValueError(
                "duplicate key value violates unique constraint\n"
                "DETAIL: Key (last_name)=(Quillfeather) already exists."
            ) from cause
    except ValueError:
        record = logging.LogRecord(
            "django.request",
            logging.ERROR,
            __file__,
            1,
            "Internal Server Error: /x/",
            (),
            sys.exc_info(),
        )
    text = formatter.format(record)
    assert "duplicate key value violates unique constraint […]" in text
    assert "Quillfeather" not in text and "DETAIL" not in text
    assert "KeyError" in text and "Internal Server Error: /x/" in text
    wrote = ChildSafeFormatter().formatException(
        (ValueError, ValueError("943 476 5919 on 27/03/2015"), None)
    )
    assert "943" not in wrote and "2015" not in wrote
