"""Safeguard Board: the project package and the board core."""

from hscb.celery import app as celery_app

__all__ = ("celery_app",)
