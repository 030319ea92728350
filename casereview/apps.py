"""Serious-incident notifications, statutory clocks, review decisions, reviews, action
plans and lessons learnt.
"""

from __future__ import annotations

from django.apps import AppConfig


class CasereviewConfig(AppConfig):
    name = "casereview"
    verbose_name = "Case review"
