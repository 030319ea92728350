"""The panel's annual report, made in the background with its progress recorded. The task takes
the report's primary key and is safe to run twice (see `cdop.services.statistics`)."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def build_annual_report(report_pk: int) -> bool:
    """Make the annual report's PDF and CSV; False if there was nothing to do or it failed."""
    from cdop.services.statistics import report_build

    return report_build(report_pk=report_pk)
