"""Single-agency and multi-agency audits, Section 11 self-assessments and the audit of
review action plans.
"""

from __future__ import annotations

from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "audits"
    verbose_name = "Audits"
