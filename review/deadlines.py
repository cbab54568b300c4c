"""Working-day deadlines of the review (DESIGN.md §4), for lists that show many at once.

The numbers of days are the policy's: applications.policy."""

import datetime
from collections.abc import Iterable

from applications.policy import NOTICE_WORKING_DAYS
from reference.workdays import add_working_days, working_days_between


def notice_period(approved_on: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The 公示期 (first and last day) of a batch opened by an approval on `approved_on`.

    实施细则: 公示期 5 个工作日. The rule, as settled for issue 12: the batch is on public view (and
    takes objections) from the approval on, but the day it opens is not one of the five, as 民法典
    第二百零一条 counts a period "开始的当日不计入，自下一日开始计算" and 行政许可法 第八十二条 counts
    工作日 without public holidays. So the 公示期 shown everywhere is the five working days that follow
    the approval day, the first of them included: approved on Wednesday 2026-12-02, the 公示期 is
    Thursday 12-03 to Wednesday 12-09 (Thu, Fri, Mon, Tue, Wed). An approval on a Saturday or a
    holiday starts on the next working day (a 调休 make-up working day counts), and the period ends
    after its 5th working day; objections are taken until the end of that day.
    """
    start = add_working_days(approved_on, 1)
    return start, add_working_days(start, NOTICE_WORKING_DAYS - 1)


def working_days_left(due_dates: Iterable[datetime.date | None], *, today: datetime.date) -> dict:
    """{due_date: working days from today up to and including it} (negative once overdue).

    The calendar (overrides included) is read once, from the cache, whatever the number of dates.
    """
    result = {}
    for due in {d for d in due_dates if d is not None}:
        # Ahead: working days in (today, due]. Overdue: minus the working days in (due, today].
        result[due] = working_days_between(today, due) if due >= today else -working_days_between(due, today)
    return result
