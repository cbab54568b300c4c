"""Reads of the reference tables, held in memory per process until an administrator edits them
(reference.signals bumps the versions)."""

import datetime

from core.cache import memoized_by_version
from reference.models import CalendarOverride, Subsystem

# Versioned-cache names. REFERENCE covers every small list a page shows (districts here, the
# talent categories in applications.reference); CALENDAR the holiday corrections.
REFERENCE = "reference"
CALENDAR = "calendar"
SUBSYSTEMS = "subsystems"


def calendar_overrides() -> dict[datetime.date, bool]:
    """Every administrator correction to the holiday calendar (a handful of rows a year)."""
    return memoized_by_version(
        CALENDAR, lambda: dict(CalendarOverride.objects.values_list("date", "is_working_day"))
    )


def subsystem_names() -> list[tuple[str, bool]]:
    """(name, provided by this installation) of each catalogue entry, in order: the login page's
    系统说明 lists them from fixtures/subsystems.json's rows rather than a copy in the template."""
    return memoized_by_version(
        SUBSYSTEMS,
        lambda: list(Subsystem.objects.order_by("sort_order", "id").values_list("name", "is_provided")),
    )
