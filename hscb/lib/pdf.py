"""PDF documents rendered from Django templates with WeasyPrint.

Nothing outside the template is ever read: the URL fetcher refuses every address (web, file,
data), so a name or link typed into a record cannot make the server fetch a page or read a
file while a PDF is built. Templates carry their styles inline.

WeasyPrint is imported when the first PDF is made: it is slow to load, and most requests and
every Celery task that sends email have no use for it.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping

from django.template.loader import render_to_string

# WeasyPrint reports every step of every document at INFO; only its warnings (a refused fetch,
# a style it could not read) belong in the logs.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


class FetchRefused(PermissionError):
    """A PDF template asked for something outside itself."""


@functools.cache
def refusing_fetcher_class() -> type:
    """A WeasyPrint URL fetcher that fetches nothing: WeasyPrint logs the refusal and leaves
    the resource out of the document."""
    from weasyprint.urls import URLFetcher

    class RefuseAllFetcher(URLFetcher):
        def fetch(self, url: str, headers: Mapping[str, str] | None = None):
            raise FetchRefused(f"PDF documents do not load outside resources: {url[:80]}")

    return RefuseAllFetcher


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    fetcher = refusing_fetcher_class()()
    return HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf()


def render_pdf(template_name: str, context: Mapping[str, object]) -> bytes:
    """Render `template_name` with `context` and return the PDF's bytes."""
    return html_to_pdf(render_to_string(template_name, dict(context)))
