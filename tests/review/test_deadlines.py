"""Working-day deadlines of the review across the 2025 National Day holiday and its make-up days.

2025: 1–8 October off; Sunday 28 September and Saturday 11 October are working days (调休上班).
"""

import datetime

import pytest

from applications.choices import Status
from applications.models import Application
from reference.models import CalendarOverride
from reference.workdays import working_days_between
from review import services
from review.deadlines import notice_period, working_days_left
from tests.builders import build_application

pytestmark = pytest.mark.django_db

D = datetime.date


def test_days_left_counts_working_days_only_and_goes_negative_once_overdue():
    left = working_days_left([D(2025, 10, 10), D(2025, 9, 30), D(2025, 9, 26)], today=D(2025, 9, 29))
    # From Monday 29 Sep: 30 Sep (1), then 9 Oct (2), 10 Oct (3). Back to Friday 26: 27 off, 28 make-up, 29.
    assert left == {D(2025, 10, 10): 3, D(2025, 9, 30): 1, D(2025, 9, 26): -2}


def test_days_left_reads_the_calendar_overrides_once(django_assert_num_queries):
    dates = [D(2025, 10, 1) + datetime.timedelta(days=n) for n in range(40)]
    with django_assert_num_queries(1):
        working_days_left(dates, today=D(2025, 9, 26))


def test_days_left_follows_an_administrator_override():
    CalendarOverride.objects.create(date=D(2025, 6, 10), is_working_day=False, note="台风停工")
    assert working_days_left([D(2025, 6, 11)], today=D(2025, 6, 9)) == {D(2025, 6, 11): 1}


def test_decision_deadline_extension_and_notice_end_across_national_day(reviewer, freeze_today):
    app = build_application(Status.SUBMITTED, on=D(2025, 9, 26))
    freeze_today(D(2025, 9, 26))
    services.application_accept(application_id=app.pk, by=reviewer)
    app.refresh_from_db()
    assert app.decision_due_on == D(2025, 10, 23)  # 15 working days
    services.application_extend_decision(application_id=app.pk, by=reviewer, reason="需函询")
    app.refresh_from_db()
    assert app.decision_due_on == D(2025, 11, 6)  # +10 working days
    services.application_approve(application_id=app.pk, by=reviewer)
    notice = app.notice_entry.notice
    assert (notice.start_date, notice.end_date) == (D(2025, 9, 28), D(2025, 10, 10))


@pytest.mark.parametrize(
    ("today", "accepted"),
    [
        (D(2025, 10, 10), False),  # the 5th working day: still the district's to answer
        (D(2025, 10, 4), False),  # a holiday: never acts on a day off
        (D(2025, 10, 11), True),  # the 6th working day is the make-up Saturday
    ],
)
def test_auto_accept_on_the_sixth_working_day(today, accepted, freeze_today):
    app = build_application(Status.SUBMITTED, on=D(2025, 9, 26))  # to be accepted by 10 October
    assert app.accept_due_on == D(2025, 10, 10)
    freeze_today(today)
    result = services.application_auto_accept_overdue(today=today)
    app.refresh_from_db()
    assert (app.pk in result) is accepted
    assert (app.status == Status.UNDER_REVIEW) is accepted
    if accepted:
        # Decided within 15 working days of the automatic acceptance: 13–17, 20–24, 27–31 Oct.
        assert app.decision_due_on == D(2025, 10, 31)
        row = app.audit_entries.get(action="auto_accept")
        assert row.actor is None and row.actor_role == "system"
        assert "2025年10月10日" in row.reason


def test_auto_accept_computes_a_missing_due_date_from_the_submission(freeze_today):
    from django.utils import timezone

    app = build_application(Status.SUBMITTED, on=D(2025, 9, 26))
    # A row submitted before the due date was stored: deliberately not a state the services make now.
    Application.objects.filter(pk=app.pk).update(accept_due_on=None)
    app.refresh_from_db()
    assert timezone.localdate(app.submitted_at) == D(2025, 9, 26)
    assert services.accept_due_on(app) == D(2025, 10, 10)
    assert services.application_auto_accept_overdue(today=D(2025, 10, 10)) == []
    assert services.application_auto_accept_overdue(today=D(2025, 10, 11)) == [app.pk]


def test_auto_accept_leaves_other_states_and_is_idempotent():
    returned = build_application(Status.RETURNED, on=D(2025, 5, 26))
    overdue = build_application(Status.SUBMITTED, on=D(2025, 5, 26))
    assert overdue.accept_due_on < D(2025, 6, 11)
    assert services.application_auto_accept_overdue(today=D(2025, 6, 11)) == [overdue.pk]
    assert services.application_auto_accept_overdue(today=D(2025, 6, 11)) == []
    returned.refresh_from_db()
    assert returned.status == Status.RETURNED


# --- the 公示期: 5 working days, counted from the working day after the approval -----------------


@pytest.mark.parametrize(
    ("approved_on", "period"),
    [
        # Wednesday: Thu 3, Fri 4, Mon 7, Tue 8, Wed 9 December.
        (D(2026, 12, 2), (D(2026, 12, 3), D(2026, 12, 9))),
        # Friday, and the Saturday after it: the weekend is skipped, both start on Monday.
        (D(2026, 12, 4), (D(2026, 12, 7), D(2026, 12, 11))),
        (D(2026, 12, 5), (D(2026, 12, 7), D(2026, 12, 11))),
        # Friday before National Day: the make-up Sunday 28 Sep counts, 1-8 October do not.
        (D(2025, 9, 26), (D(2025, 9, 28), D(2025, 10, 10))),
        # The day before the holiday, and a day inside it: both start on 9 October, and the make-up
        # Saturday 11 October is one of the five (9, 10, 11, 13, 14).
        (D(2025, 9, 30), (D(2025, 10, 9), D(2025, 10, 14))),
        (D(2025, 10, 3), (D(2025, 10, 9), D(2025, 10, 14))),
    ],
)
def test_the_notice_lasts_five_working_days_from_the_day_after_the_approval(approved_on, period):
    start, end = notice_period(approved_on)
    assert (start, end) == period
    assert working_days_between(start, end) == 4  # (start, end]: with start itself, five


def test_the_notice_period_follows_an_administrator_override():
    CalendarOverride.objects.create(date=D(2026, 12, 7), is_working_day=False, note="台风停工")
    assert notice_period(D(2026, 12, 4)) == (D(2026, 12, 8), D(2026, 12, 14))
