"""Working-day deadlines of the review (DESIGN.md §4), for lists that show many at once.

The numbers of days are the policy's: applications.policy."""

import datetime
from collections.abc import Iterable

from reference.workdays import working_days_between


def working_days_left(due_dates: Iterable[datetime.date | None], *, today: datetime.date) -> dict:
    """{due_date: working days from today up to and including it} (negative once overdue).

    The calendar (overrides included) is read once, from the cache, whatever the number of dates.
    """
    result = {}
    for due in {d for d in due_dates if d is not None}:
        # Ahead: working days in (today, due]. Overdue: minus the working days in (due, today].
        result[due] = working_days_between(today, due) if due >= today else -working_days_between(due, today)
    return result
