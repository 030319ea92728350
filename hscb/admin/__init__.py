"""The secretariat's admin, one module per sub-area of the board core."""

from hscb.admin import (  # noqa: F401
    actions,
    board,
    log,
    meetings,
    plan,
    reminders,
    schedules,
    signins,
    twofactor,
)
