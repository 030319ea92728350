"""Dates and times as GOV.UK writes them: "27 November 2026", "27 November 2026, 2:30pm"."""

DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j F Y, g:ia"
SHORT_DATETIME_FORMAT = "j M Y, g:ia"
TIME_FORMAT = "g:ia"
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d %B %Y", "%d %b %Y"]
FIRST_DAY_OF_WEEK = 1
