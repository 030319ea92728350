"""Checks on uploaded papers: a Word or Excel file must be a real Office package, not any zip
given a .docx or .xlsx name; the size is checked before the contents."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from hscb.lib.uploads import validate_document
from hscb.models import Paper
from tests.hscb.factories import AgendaItemFactory
from tests.hscb.test_bad_input import assert_error_page

pytestmark = pytest.mark.django_db

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/></Types>'
)


def package(*names: str) -> bytes:
    """A zip holding `names`, each a small XML part."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            text = CONTENT_TYPES if name == "[Content_Types].xml" else "<part/>"
            archive.writestr(name, text)
    return buffer.getvalue()


# The smallest packages Word and Excel would open: content types, relationships, the document.
DOCX = package("[Content_Types].xml", "_rels/.rels", "word/document.xml")
XLSX = package("[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/worksheets/sheet1.xml")
PLAIN_ZIP = package("holiday photos/readme.txt", "holiday photos/list.csv")


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def refusal(name: str, content: bytes) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        validate_document(upload(name, content))
    return refused.value.messages


@pytest.mark.parametrize(("name", "content"), [("minutes.docx", DOCX), ("figures.xlsx", XLSX)])
def test_real_word_and_excel_files_are_accepted_and_left_ready_to_store(name, content):
    file = upload(name, content)
    validate_document(file)
    assert file.read() == content  # read again from the start, as storage will


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("minutes.docx", PLAIN_ZIP, "Word"),
        ("figures.xlsx", PLAIN_ZIP, "Excel"),
        # The right kind of package under the wrong name.
        ("minutes.docx", XLSX, "Word"),
        ("figures.xlsx", DOCX, "Excel"),
        # The document's folder without the package's list of content types.
        ("minutes.docx", package("word/document.xml"), "Word"),
        ("figures.xlsx", package("xl/workbook.xml"), "Excel"),
        # The zip header and nothing a zip needs after it.
        ("minutes.docx", b"PK\x03\x04" + b"\x00" * 200, "Word"),
        ("figures.xlsx", b"PK\x03\x04not a zip at all", "Excel"),
        # A zip cut short: its directory at the end is missing.
        ("minutes.docx", DOCX[: len(DOCX) // 2], "Word"),
    ],
    ids=[
        "plain zip as docx",
        "plain zip as xlsx",
        "xlsx as docx",
        "docx as xlsx",
        "no content types docx",
        "no content types xlsx",
        "header only",
        "header and text",
        "cut short",
    ],
)
def test_a_zip_that_is_not_that_kind_of_document_is_refused(name, content, kind):
    assert refusal(name, content) == [
        f"The selected file is not a real {kind} file. Save it again as {kind} and upload that"
    ]


def test_the_size_is_checked_before_the_contents(settings):
    settings.PAPER_MAX_BYTES = 100
    assert refusal("minutes.docx", PLAIN_ZIP) == [
        "The selected file must be smaller than 100\xa0bytes"
    ]


def test_pdfs_and_old_office_files_are_judged_by_their_first_bytes_only():
    validate_document(upload("report.pdf", b"%PDF-1.4 not otherwise checked"))
    validate_document(upload("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 and the rest"))


def test_uploading_a_renamed_zip_as_a_paper_is_refused_and_a_real_one_is_kept(
    client, board, secretariat
):
    item = AgendaItemFactory(meeting__group=board["improving_outcomes"])
    url = f"/meetings/{item.meeting_id}/items/{item.pk}/papers/new/"
    client.force_login(secretariat)
    text = assert_error_page(
        client.post(url, {"title": "Holiday", "file": upload("minutes.docx", PLAIN_ZIP)}),
        "file",
    )
    assert "The selected file is not a real Word file" in text
    assert not Paper.objects.exists()

    response = client.post(url, {"title": "Figures", "file": upload("figures.xlsx", XLSX)})
    assert response.status_code == 302
    paper = Paper.objects.get()
    assert (paper.title, paper.original_name, paper.size) == ("Figures", "figures.xlsx", len(XLSX))
    with paper.file.open("rb") as stored:
        assert stored.read() == XLSX
