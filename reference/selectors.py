"""Reads of the reference tables, held in memory per process until an administrator edits them
(reference.signals bumps the versions)."""

import datetime

from core.cache import memoized_by_version
from reference.models import CalendarOverride

# Versioned-cache names. REFERENCE covers every small list a page shows (districts here, the
# talent categories in applications.reference); CALENDAR the holiday corrections.
REFERENCE = "reference"
CALENDAR = "calendar"


def calendar_overrides() -> dict[datetime.date, bool]:
    """Every administrator correction to the holiday calendar (a handful of rows a year)."""
    return memoized_by_version(
        CALENDAR, lambda: dict(CalendarOverride.objects.values_list("date", "is_working_day"))
    )
