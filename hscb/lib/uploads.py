"""Checks on uploaded documents: a type we accept, judged by the name and by the first bytes
(so a renamed program is refused), and a size under the limit. A Word or Excel file of 2007 on
is a zip package, so it is also opened as one (its list of contents only, nothing extracted)
to see that it is really that kind of document, not any zip renamed."""

from __future__ import annotations

import unicodedata
import uuid
import zipfile
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat

PDF = b"%PDF-"
ZIP = b"PK\x03\x04"  # .docx and .xlsx are zip packages
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc and .xls before 2007

# Extension -> (what it is called, the bytes it starts with, the content type it is served as).
DOCUMENT_TYPES: dict[str, tuple[str, bytes, str]] = {
    "pdf": ("PDF", PDF, "application/pdf"),
    "doc": ("Word", OLE, "application/msword"),
    "docx": (
        "Word",
        ZIP,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "xls": ("Excel", OLE, "application/vnd.ms-excel"),
    "xlsx": ("Excel", ZIP, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
ACCEPT = ",".join(f".{ext}" for ext in DOCUMENT_TYPES)
# What every Office Open XML package holds, and the folder that holds the document itself.
CONTENT_TYPES_PART = "[Content_Types].xml"
PACKAGE_FOLDERS = {"docx": "word/", "xlsx": "xl/"}


def extension(name: str) -> str:
    return PurePath(name).suffix.lower().lstrip(".")


def validate_document(upload) -> None:
    """Refuse anything but a PDF, Word or Excel file under `settings.PAPER_MAX_BYTES`. A file
    refused as it streamed in (`hscb.lib.upload_limit`) arrives here holding nothing, and is
    refused as too big whatever its size says."""
    limit = settings.PAPER_MAX_BYTES
    if getattr(upload, "refused", False):
        raise _too_big(limit)
    if upload.size == 0:
        raise ValidationError("The selected file is empty", code="empty")
    if upload.size > limit:
        raise _too_big(limit)
    kind = DOCUMENT_TYPES.get(extension(upload.name))
    if kind is None:
        raise ValidationError("The selected file must be a PDF, Word or Excel file", code="type")
    upload.seek(0)
    head = upload.read(len(kind[1]))
    upload.seek(0)
    folder = PACKAGE_FOLDERS.get(extension(upload.name))
    if head != kind[1] or (folder is not None and not _is_office_package(upload, folder)):
        raise ValidationError(
            "The selected file is not a real %(kind)s file. Save it again as %(kind)s and "
            "upload that",
            code="content",
            params={"kind": kind[0]},
        )


def _too_big(limit: int) -> ValidationError:
    return ValidationError(
        "The selected file must be smaller than %(limit)s",
        code="too_big",
        params={"limit": filesizeformat(limit)},
    )


def _is_office_package(upload, folder: str) -> bool:
    """Whether the upload is a zip that lists the package's content types and has `folder`
    ("word/", "xl/"). Only the zip's directory is read; nothing is extracted."""
    try:
        with zipfile.ZipFile(upload) as package:
            names = package.namelist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        return False
    finally:
        upload.seek(0)
    return CONTENT_TYPES_PART in names and any(name.startswith(folder) for name in names)


def content_type_for(name: str) -> str:
    kind = DOCUMENT_TYPES.get(extension(name))
    return kind[2] if kind else "application/octet-stream"


def stored_name(prefix: str, name: str) -> str:
    """A storage path that gives nothing away: the original name is kept in the database."""
    return f"{prefix}/{uuid.uuid4().hex}.{extension(name)}"


def clean_file_name(name: str, default: str = "document") -> str:
    """The uploaded file's own name, without folders or control characters."""
    base = PurePath(name.replace("\\", "/")).name
    cleaned = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip()
    return cleaned[:255] or default


def serve_document(file: FieldFile, *, name: str, missing: str) -> FileResponse:
    """A stored document as a download under its own name: never shown in the browser, never
    guessed at as another type, never kept in a cache. `missing` is the 404's message when the
    file has gone from storage."""
    try:
        handle = file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404(missing) from None
    response = FileResponse(
        handle, as_attachment=True, filename=name, content_type=content_type_for(name)
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
