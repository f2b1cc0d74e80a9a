"""The date line: "March 16, 2017", in English whatever the machine's locale."""

from __future__ import annotations

import calendar
import datetime as dt
import locale
import re
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.dates import date_line

MONTHS = [
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
]


def test_the_seed_letter_date() -> None:
    assert date_line(dt.date(2017, 3, 16)) == "March 16, 2017"


@pytest.mark.parametrize(("month", "name"), list(enumerate(MONTHS, start=1)))
def test_every_month_is_spelled_out(month: int, name: str) -> None:
    assert date_line(dt.date(2017, month, 1)) == f"{name} 1, 2017"


@pytest.mark.parametrize(("month", "name"), list(enumerate(MONTHS, start=1)))
def test_last_day_of_every_month(month: int, name: str) -> None:
    last = calendar.monthrange(2017, month)[1]
    assert date_line(dt.date(2017, month, last)) == f"{name} {last}, 2017"


@pytest.mark.parametrize(
    ("day", "line"),
    [
        (dt.date(2017, 1, 31), "January 31, 2017"),
        (dt.date(2017, 12, 31), "December 31, 2017"),
        (dt.date(2017, 10, 31), "October 31, 2017"),
        (dt.date(2017, 2, 28), "February 28, 2017"),
        (dt.date(2016, 2, 29), "February 29, 2016"),
        (dt.date(2000, 2, 29), "February 29, 2000"),
        (dt.date(2024, 2, 29), "February 29, 2024"),
        (dt.date(2017, 3, 1), "March 1, 2017"),
        (dt.date(2017, 3, 9), "March 9, 2017"),
        (dt.date(2017, 3, 10), "March 10, 2017"),
        (dt.date(1, 1, 1), "January 1, 1"),
        (dt.date(9999, 12, 31), "December 31, 9999"),
    ],
)
def test_day_boundaries_and_leap_days(day: dt.date, line: str) -> None:
    assert date_line(day) == line


@pytest.mark.parametrize("day", range(1, 10))
def test_no_leading_zero(day: int) -> None:
    line = date_line(dt.date(2017, 5, day))
    assert line == f"May {day}, 2017"
    assert " 0" not in line


def test_a_datetime_gives_its_date() -> None:
    assert date_line(dt.datetime(2017, 3, 16, 23, 59)) == "March 16, 2017"


class _NoFormatting(dt.date):
    """A date that refuses every locale-dependent formatting route."""

    def strftime(self, fmt: str) -> str:
        raise AssertionError("date_line must not use strftime: %B follows the locale")

    def __format__(self, spec: str) -> str:
        raise AssertionError("date_line must not format the date with the locale")

    def ctime(self) -> str:
        raise AssertionError("date_line must not use ctime")


def test_does_not_go_through_locale_dependent_formatting() -> None:
    assert date_line(_NoFormatting(2017, 3, 16)) == "March 16, 2017"


@pytest.fixture(params=["de_DE.UTF-8", "fr_FR.UTF-8", "tr_TR.UTF-8", "ja_JP.UTF-8", "C.UTF-8", "C"])
def time_locale(request: pytest.FixtureRequest) -> Iterator[str]:
    saved = locale.setlocale(locale.LC_TIME)
    try:
        locale.setlocale(locale.LC_TIME, request.param)
    except locale.Error:
        pytest.skip(f"locale {request.param} is not installed")
    try:
        yield request.param
    finally:
        locale.setlocale(locale.LC_TIME, saved)


def test_the_same_in_any_installed_locale(time_locale: str) -> None:
    lines = [date_line(dt.date(2017, month, 16)) for month in range(1, 13)]
    assert lines == [f"{name} 16, 2017" for name in MONTHS]


@given(st.dates())
def test_shape_and_round_trip(day: dt.date) -> None:
    line = date_line(day)
    match = re.fullmatch(r"([A-Z][a-z]+) ([1-9]\d?), ([1-9]\d{0,3})", line)
    assert match is not None, line
    month, day_of_month, year = match.groups()
    assert dt.date(int(year), MONTHS.index(month) + 1, int(day_of_month)) == day
