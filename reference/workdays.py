"""Working-day arithmetic on the Chinese public-holiday calendar (DESIGN.md §4 timelines).

The `holidays` package knows the substituted days off and the make-up working days (调休上班);
CalendarOverride rows, kept by the city administrator, win over it for years it does not know yet.
"""

import datetime
from functools import lru_cache

import holidays

from reference.selectors import calendar_overrides


@lru_cache(maxsize=16)
def _china_calendar(year: int) -> holidays.HolidayBase:
    return holidays.China(years=year)


def _overrides(start: datetime.date, end: datetime.date) -> dict[datetime.date, bool]:
    # All overrides are few; they come from the versioned cache (applications.reference), not a query.
    return {day: working for day, working in calendar_overrides().items() if start <= day <= end}


def _is_working_day(day: datetime.date, overrides: dict[datetime.date, bool]) -> bool:
    if day in overrides:
        return overrides[day]
    return _china_calendar(day.year).is_working_day(day)


def is_working_day(day: datetime.date) -> bool:
    return _is_working_day(day, _overrides(day, day))


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The date `days` working days after `start` (start itself not counted).

    add_working_days(Friday, 1) is the next Monday; a deadline of "5 working days" from a
    submission is add_working_days(submitted_on, 5).
    """
    if days < 0:
        raise ValueError("days must be >= 0")
    # A window wide enough for the longest Chinese holiday stretch; overrides read once.
    overrides = _overrides(start, start + datetime.timedelta(days=days * 2 + 30))
    current, counted = start, 0
    while counted < days:
        current += datetime.timedelta(days=1)
        if _is_working_day(current, overrides):
            counted += 1
    return current


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start).

    Read from per-year running totals, so a deadline years away (or long overdue) costs a few
    look-ups rather than a walk over every day.
    """
    if end <= start:
        return 0
    overrides = calendar_overrides()
    return _working_days_through(end, overrides) - _working_days_through(start, overrides)


def _working_days_through(day: datetime.date, overrides: dict[datetime.date, bool]) -> int:
    """Working days from 1 January of `day.year` up to and including `day`, plus whole years since
    a fixed origin: only differences of this number mean anything."""
    total = sum(
        _year_running_totals(year, _year_overrides(year, overrides))[-1] for year in range(2000, day.year)
    )
    return (
        total
        + _year_running_totals(day.year, _year_overrides(day.year, overrides))[day.timetuple().tm_yday - 1]
    )


def _year_overrides(year: int, overrides: dict[datetime.date, bool]) -> tuple:
    return tuple(sorted((day, working) for day, working in overrides.items() if day.year == year))


@lru_cache(maxsize=128)
def _year_running_totals(year: int, overrides: tuple) -> tuple[int, ...]:
    """Running count of working days through each day of `year` (index 0 = 1 January)."""
    corrections = dict(overrides)
    day, totals, count = datetime.date(year, 1, 1), [], 0
    while day.year == year:
        if _is_working_day(day, corrections):
            count += 1
        totals.append(count)
        day += datetime.timedelta(days=1)
    return tuple(totals)
