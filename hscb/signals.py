"""Signals the board core sends, so that apps can act on its events without it importing them."""

from __future__ import annotations

from django.dispatch import Signal

# Sent once a new meeting is saved and its transaction has committed: `meeting`, `by`.
meeting_scheduled = Signal()
