"""Working-day deadlines of the review (DESIGN.md §4), for lists that show many at once."""

import datetime
from collections.abc import Iterable

from reference.workdays import working_days_between

# 办法实施细则: accept or return within 5 working days, decide within 15 (extendable once by 10),
# the notice lasts 5 working days, an objection is settled within 20.
ACCEPT_WORKING_DAYS = 5
DECISION_WORKING_DAYS = 15
DECISION_EXTENSION_WORKING_DAYS = 10
NOTICE_WORKING_DAYS = 5
OBJECTION_WORKING_DAYS = 20


def working_days_left(due_dates: Iterable[datetime.date | None], *, today: datetime.date) -> dict:
    """{due_date: working days from today up to and including it} (negative once overdue).

    The calendar (overrides included) is read once, from the cache, whatever the number of dates.
    """
    result = {}
    for due in {d for d in due_dates if d is not None}:
        # Ahead: working days in (today, due]. Overdue: minus the working days in (due, today].
        result[due] = working_days_between(today, due) if due >= today else -working_days_between(due, today)
    return result
