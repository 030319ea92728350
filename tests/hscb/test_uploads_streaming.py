"""A file over the upload limit is refused while the request streams in, before any of it is
kept on disk: on every form that takes a document the person sees the form again with the
limit in the error summary and what else they typed, and no record, stored file or temporary
file is left behind. The limits are made small here so the bodies stay small."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.core.handlers.asgi import ASGIRequest
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from casereview.models import Attachment, ReviewStatus
from casereview.services import notifications as notification_services
from hscb.lib.upload_limit import RefusedUpload, request_limit
from hscb.lib.uploads import validate_document
from hscb.models import Paper
from tests.casereview.factories import ReviewFactory
from tests.casereview.test_reviews_support import date_fields, days, with_decision_clock
from tests.hscb.factories import PDF_BYTES, AgendaItemFactory, MeetingFactory
from tests.hscb.test_bad_input import assert_error_page

pytestmark = pytest.mark.django_db

LIMIT = 1024  # PAPER_MAX_BYTES in these tests: "1.0 KB"
MESSAGE = "The selected file must be smaller than 1.0\xa0KB"


@pytest.fixture
def disk(settings, tmp_path) -> dict[str, Path]:
    """Small limits, and the places an upload could be written, empty and watched. Every
    stored upload goes to a temporary file (no memory threshold), so one would be seen."""
    media, temp = tmp_path / "media", tmp_path / "tmp"
    media.mkdir(), temp.mkdir()
    settings.PAPER_MAX_BYTES = LIMIT
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = LIMIT  # the whole request: 2 KB
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0
    settings.FILE_UPLOAD_TEMP_DIR = str(temp)
    settings.MEDIA_ROOT = str(media)
    return {"media": media, "temp": temp}


@dataclass
class Written:
    files: list  # every temporary upload file opened
    size: int = 0  # the bytes written to them


@pytest.fixture
def temporary(monkeypatch) -> Written:
    """What Django's temporary-file upload handler opened and wrote during the test."""
    written = Written(files=[])
    new_file, receive = (
        TemporaryFileUploadHandler.new_file,
        TemporaryFileUploadHandler.receive_data_chunk,
    )

    def opening(self, *args, **kwargs):
        new_file(self, *args, **kwargs)
        written.files.append(self.file)

    def writing(self, raw_data, start):
        written.size += len(raw_data)
        return receive(self, raw_data, start)

    monkeypatch.setattr(TemporaryFileUploadHandler, "new_file", opening)
    monkeypatch.setattr(TemporaryFileUploadHandler, "receive_data_chunk", writing)
    return written


def files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def pdf(size: int) -> SimpleUploadedFile:
    return SimpleUploadedFile("report.pdf", PDF_BYTES + b"x" * (size - len(PDF_BYTES)))


@dataclass
class UploadForm:
    """A form that takes a document: who posts it where, its other answers (after the file in
    the body, so their being kept shows the body was read past the refused file), how one of
    them shows when kept, and whether anything was saved."""

    name: str
    file_field: str
    setup: Callable  # (request) -> (user, url, context)
    fields: dict[str, str]
    kept: str
    saved: Callable  # (context) -> bool


def _paper(request):
    io_group = request.getfixturevalue("io")
    item = AgendaItemFactory(meeting=MeetingFactory(group=io_group))
    url = f"/meetings/{item.meeting_id}/items/{item.pk}/papers/new/"
    return request.getfixturevalue("secretariat"), url, item


def _attachment(request):
    staff = request.getfixturevalue("agency_staff")
    draft = notification_services.notification_start(by=staff)
    return staff, f"/notifications/{draft.pk}/step/attachments/", draft


def _final_report(request):
    request.getfixturevalue("board")
    review = with_decision_clock(ReviewFactory(started_on=days(-60)), decided_on=days(-60))
    return request.getfixturevalue("secretariat"), f"{review.get_absolute_url()}report/", review


def _report_saved(review) -> bool:
    review.refresh_from_db()
    return bool(review.final_report) or review.status != ReviewStatus.IN_PROGRESS


FORMS = [
    UploadForm(
        "meeting paper",
        "file",
        _paper,
        {"title": "Quarterly figures"},
        'value="Quarterly figures"',
        lambda item: Paper.objects.exists(),
    ),
    UploadForm(
        "notification document",
        "file",
        _attachment,
        {"action": "upload", "description": "Chronology"},
        'value="Chronology"',
        lambda draft: Attachment.objects.exists(),
    ),
    UploadForm(
        "final report",
        "final_report",
        _final_report,
        date_fields("received_on", days(-2)),
        f'value="{days(-2).year}"',
        _report_saved,
    ),
]


def post(client, url: str, form: UploadForm, size: int):
    return client.post(url, {form.file_field: pdf(size), **form.fields})


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.name)
def test_a_request_over_the_limit_is_refused_before_any_of_it_is_written(
    client, request, disk, temporary, form
):
    user, url, context = form.setup(request)
    client.force_login(user)
    response = post(client, url, form, 4 * LIMIT)
    assert int(response.wsgi_request.META["CONTENT_LENGTH"]) > request_limit()

    text = assert_error_page(response, form.file_field)
    assert MESSAGE in text
    assert form.kept in text  # the answers after the file were read and kept
    assert not form.saved(context)
    assert temporary.files == [] and temporary.size == 0  # nothing was ever written
    assert files_under(disk["temp"]) == [] and files_under(disk["media"]) == []


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.name)
def test_a_file_that_grows_over_the_limit_as_it_streams_is_dropped_from_disk(
    client, request, disk, temporary, form
):
    user, url, context = form.setup(request)
    client.force_login(user)
    # The request is under the limit for a whole request, so the file starts to be stored,
    # and is refused once more than the limit for a file has arrived.
    response = post(client, url, form, LIMIT + 200)
    assert int(response.wsgi_request.META["CONTENT_LENGTH"]) <= request_limit()

    text = assert_error_page(response, form.file_field)
    assert MESSAGE in text
    assert form.kept in text
    assert not form.saved(context)
    # What had arrived within the limit was written, no more, and deleted as the file was
    # refused (Django would close it only once the response had gone).
    assert temporary.size <= LIMIT
    assert len(temporary.files) == 1 and temporary.files[0].closed
    assert files_under(disk["temp"]) == [] and files_under(disk["media"]) == []


def test_a_file_within_the_limit_is_still_stored(client, request, disk):
    user, url, item = _paper(request)
    client.force_login(user)
    response = post(client, url, FORMS[0], LIMIT)
    assert response.status_code == 302
    paper = Paper.objects.get(item=item)
    assert paper.file.read() == pdf(LIMIT).read()
    assert files_under(disk["temp"]) == []  # the temporary file went once stored


def asgi_request(data: dict, content_length: int | None = None) -> ASGIRequest:
    body = encode_multipart(BOUNDARY, data)
    length = len(body) if content_length is None else content_length
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/",
        "query_string": b"",
        "headers": [
            (b"content-type", MULTIPART_CONTENT.encode()),
            (b"content-length", str(length).encode()),
        ],
    }
    return ASGIRequest(scope, io.BytesIO(body))


def test_a_request_that_says_it_is_shorter_than_it_is_is_still_refused(disk):
    """A server that does not hold the body to its Content-Length (ASGI reads to the end):
    the bytes are counted as they arrive, not taken on the request's word."""
    request = asgi_request({"title": "Small", "file": pdf(10 * LIMIT)}, content_length=300)

    refused = request.FILES["file"]
    assert isinstance(refused, RefusedUpload)
    assert refused.size == 10 * LIMIT and refused.read() == b""
    assert request.POST["title"] == "Small"
    assert files_under(disk["temp"]) == []


def test_refusing_a_second_file_leaves_the_first_whole(disk, temporary):
    request = asgi_request({"first": pdf(100), "second": pdf(LIMIT + 200)})

    assert isinstance(request.FILES["second"], RefusedUpload)
    first = request.FILES["first"]
    assert not first.closed and first.read() == pdf(100).read()
    assert [f.closed for f in temporary.files] == [False, True]


def test_a_refused_file_is_too_big_whatever_size_it_gives(settings):
    settings.PAPER_MAX_BYTES = LIMIT
    refused = RefusedUpload(
        name="report.pdf",
        content_type="application/pdf",
        size=10,
        charset=None,
        content_type_extra=None,
    )
    with pytest.raises(ValidationError) as error:
        validate_document(refused)
    assert error.value.messages == [MESSAGE]


def test_files_each_under_the_limit_are_refused_once_together_they_pass_the_requests(disk):
    files = {name: pdf(LIMIT - 100) for name in ("first", "second", "third")}
    request = asgi_request(files, content_length=300)  # and it says it is small

    assert [type(request.FILES[name]) is RefusedUpload for name in files] == [False, False, True]
