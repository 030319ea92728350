"""Improving Outcomes register, performance, learning and development, policy and
procedures, and the Strategic Safeguarding Adolescents Group.
"""

from __future__ import annotations

from django.apps import AppConfig


class SubgroupsConfig(AppConfig):
    name = "subgroups"
    verbose_name = "Subgroups"
