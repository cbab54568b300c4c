"""Working-day deadlines of the review (DESIGN.md §4), for lists that show many at once.

portal.workdays answers one date at a time and reads the administrator's calendar overrides per
call; a queue page of 50 rows must not run 50 queries, so this reads the overrides once for the
whole span and counts with the same calendar rules.
"""

import datetime
from collections.abc import Iterable

from portal.workdays import _is_working_day, _overrides  # same calendar, overrides read once

# 办法实施细则: accept or return within 5 working days, decide within 15 (extendable once by 10),
# the notice lasts 5 working days, an objection is settled within 20.
ACCEPT_WORKING_DAYS = 5
DECISION_WORKING_DAYS = 15
DECISION_EXTENSION_WORKING_DAYS = 10
NOTICE_WORKING_DAYS = 5
OBJECTION_WORKING_DAYS = 20


def working_days_left(due_dates: Iterable[datetime.date | None], *, today: datetime.date) -> dict:
    """{due_date: working days from today up to and including it} (negative once overdue).

    One query for the calendar overrides, whatever the number of dates.
    """
    dates = {d for d in due_dates if d is not None}
    if not dates:
        return {}
    low, high = min(dates | {today}), max(dates | {today})
    overrides = _overrides(low, high)
    result = {}
    for due in dates:
        # Ahead: working days in (today, due]. Overdue: minus the working days in (due, today].
        start, end, sign = (today, due, 1) if due >= today else (due, today, -1)
        count, current = 0, start
        while current < end:
            current += datetime.timedelta(days=1)
            if _is_working_day(current, overrides):
                count += 1
        result[due] = sign * count
    return result
