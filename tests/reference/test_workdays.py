import datetime

import pytest

from reference.models import CalendarOverride
from reference.workdays import add_working_days, is_working_day, working_days_between

pytestmark = pytest.mark.django_db


def test_national_day_week_is_not_working_and_make_up_saturday_is():
    # 2025: 1–8 October off; Sunday 28 September and Saturday 11 October are make-up working days.
    assert not is_working_day(datetime.date(2025, 10, 1))
    assert not is_working_day(datetime.date(2025, 10, 8))
    assert is_working_day(datetime.date(2025, 9, 28))
    assert is_working_day(datetime.date(2025, 10, 11))


def test_five_working_days_across_national_day():
    # Submitted Friday 26 Sept 2025: 28 (Sun, make-up), 29, 30 Sept, then 9, 10 Oct.
    assert add_working_days(datetime.date(2025, 9, 26), 5) == datetime.date(2025, 10, 10)


def test_plain_week_skips_the_weekend():
    assert add_working_days(datetime.date(2025, 6, 6), 1) == datetime.date(2025, 6, 9)
    assert working_days_between(datetime.date(2025, 6, 6), datetime.date(2025, 6, 13)) == 5


def test_administrator_override_wins_over_the_package():
    day = datetime.date(2025, 6, 9)  # an ordinary Monday
    CalendarOverride.objects.create(date=day, is_working_day=False, note="临时调整")
    assert not is_working_day(day)
    assert add_working_days(datetime.date(2025, 6, 6), 1) == datetime.date(2025, 6, 10)


def test_running_totals_agree_with_counting_day_by_day():
    start = datetime.date(2024, 12, 20)
    for offset in (0, 1, 5, 12, 40, 400, 800):
        end = start + datetime.timedelta(days=offset)
        expected, day = 0, start
        while day < end:
            day += datetime.timedelta(days=1)
            expected += is_working_day(day)
        assert working_days_between(start, end) == expected, offset


def test_running_totals_follow_an_override_added_later():
    before = working_days_between(datetime.date(2025, 6, 1), datetime.date(2025, 6, 30))
    CalendarOverride.objects.create(date=datetime.date(2025, 6, 16), is_working_day=False, note="临时休息")
    assert working_days_between(datetime.date(2025, 6, 1), datetime.date(2025, 6, 30)) == before - 1
