"""The site's URLs plus a minimal view, for `manage.py bench` only (never in ROOT_URLCONF).

The minimal view goes through the same middleware as every page, signed in, and does nothing
else: the benchmark measures each page against it.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def minimal(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


urlpatterns = [
    path("bench/minimal/", minimal, name="bench_minimal"),
    path("", include("hscb.urls")),
]
