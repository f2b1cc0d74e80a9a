"""Dates as a formal letter writes them."""

from __future__ import annotations

import datetime as dt

_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
)


def date_line(day: dt.date) -> str:
    """``March 16, 2017``: month spelled out, no leading zero, independent of the locale."""
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"
