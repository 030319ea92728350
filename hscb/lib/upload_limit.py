"""The upload limit, held while a request streams in, before any of a file reaches the disk.

Django writes an upload to a temporary file as it arrives (anything over
`FILE_UPLOAD_MAX_MEMORY_SIZE`), and only then does a form see how big it was: a request of
several gigabytes would fill the disk before `validate_document` could refuse it. So
`UploadLimitHandler` comes first in `FILE_UPLOAD_HANDLERS` and refuses a file over the limit
while it streams:

- a request whose `Content-Length` is over the most a form with one document may send
  (`request_limit()`): its files are never given to the handlers that store uploads, so nothing
  of them is written anywhere;
- a file that grows past `PAPER_MAX_BYTES` as it arrives (a request that did not say how long it
  is, or said less than it sends; or a file just over the limit in a request just under it): no
  more of it is passed on, and what the storing handlers had of it is closed, which deletes it.

A refused file is read to its end and dropped, so the fields after it are still read, and the
person sees the form again with what they typed. In `request.FILES` it is a `RefusedUpload`
that holds nothing: `validate_document` answers it with "The selected file must be smaller
than …", and it cannot be stored. A web server or proxy in front of the site should still cap
a request's size (far above this limit) so that no one can keep a worker reading for ever.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers


def file_limit() -> int:
    """The largest file accepted, in bytes."""
    return settings.PAPER_MAX_BYTES


def request_limit() -> int:
    """The most a request carrying a document may weigh: the largest document and the most a
    form's other fields may carry (`DATA_UPLOAD_MAX_MEMORY_SIZE`), which also covers the
    multipart headers."""
    return file_limit() + (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0)


class RefusedUpload(UploadedFile):
    """Stands in `request.FILES` for a file refused as too big: its name and how many bytes of
    it arrived, and no content."""

    refused = True

    def __init__(
        self,
        *,
        name: str,
        content_type: str,
        size: int,
        charset: str | None,
        content_type_extra: dict | None,
    ) -> None:
        super().__init__(io.BytesIO(), name, content_type, size, charset, content_type_extra)


class UploadLimitHandler(FileUploadHandler):
    """Refuses, as it streams, any file over the upload limit (see the module's docstring).
    Files within the limit are passed on untouched to the next handlers."""

    def __init__(self, request=None) -> None:
        super().__init__(request)
        self.request_too_big = False
        self.refusing = False
        self.received = 0  # bytes of the file being read
        self.total = 0  # bytes of every file in the request so far

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None) -> None:
        self.request_too_big = content_length > request_limit()
        return None  # the parsing itself is Django's

    def new_file(
        self,
        field_name,
        file_name,
        content_type,
        content_length,
        charset=None,
        content_type_extra=None,
    ) -> None:
        super().new_file(
            field_name, file_name, content_type, content_length, charset, content_type_extra
        )
        self.received = 0
        self.refusing = self.request_too_big or (content_length or 0) > file_limit()
        if self.refusing:
            # The handlers that store uploads never open a file for this one.
            raise StopFutureHandlers

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        self.total += len(raw_data)
        if not self.refusing and (self.received > file_limit() or self.total > request_limit()):
            self.refusing = True
            self._drop_what_was_stored()
        # None: the rest of the handlers never see this chunk.
        return None if self.refusing else raw_data

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if not self.refusing:
            return None  # the next handler gives the file
        return RefusedUpload(
            name=self.file_name,
            content_type=self.content_type,
            size=self.received,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )

    def _drop_what_was_stored(self) -> None:
        """Close what the storing handlers wrote of the file being refused, as Django's parser
        does with a file it skips: a temporary upload deletes itself when closed. Each of
        Django's handlers opens a new `file` for every file it hears of, so the one each holds
        now is this file's, never an earlier one already in `request.FILES`."""
        for handler in getattr(self.request, "upload_handlers", []):
            if handler is not self and getattr(handler, "file", None) is not None:
                handler.file.close()
