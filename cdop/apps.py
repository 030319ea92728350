"""Child Death Overview Panel: death notifications, cross-area referrals, panel reviews
and statistics.
"""

from __future__ import annotations

from django.apps import AppConfig


class CdopConfig(AppConfig):
    name = "cdop"
    verbose_name = "Child Death Overview Panel"
