"""The secretariat's admin, one module per sub-area of the board core."""

from hscb.admin import actions, board, log, meetings, plan, reminders  # noqa: F401
