"""The beat tasks call the services with today's date; a failing batch does not stop the rest."""

import datetime

import pytest

from applications.choices import Status
from review import tasks
from review.models import PublicNotice
from tests import factories
from tests.builders import build_application

pytestmark = pytest.mark.django_db


def test_auto_accept_overdue_task(freeze_today):
    freeze_today(datetime.date(2025, 6, 11))
    app = build_application(Status.SUBMITTED, on=datetime.date(2025, 6, 3))
    assert app.accept_due_on == datetime.date(2025, 6, 10)
    assert tasks.auto_accept_overdue.delay().get() == [app.pk]
    app.refresh_from_db()
    assert app.status == Status.UNDER_REVIEW


def test_close_ended_notices_publishes_and_skips_open_ones(
    reviewer, freeze_today, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr("review.services.issue_cards_for_application.apply_async", lambda *a, **k: None)
    ended_app = build_application(Status.IN_NOTICE, on=datetime.date(2025, 6, 3))
    running_app = build_application(Status.IN_NOTICE, on=datetime.date(2025, 6, 9))
    ended, running = ended_app.notice_entry.notice, running_app.notice_entry.notice
    assert (ended.end_date, running.end_date) == (datetime.date(2025, 6, 10), datetime.date(2025, 6, 16))
    freeze_today(datetime.date(2025, 6, 11))
    with django_capture_on_commit_callbacks(execute=True):
        result = tasks.close_ended_notices.delay().get()
    assert result == {"closed": [ended.pk], "published": [ended_app.pk]}
    ended_app.refresh_from_db()
    running_app.refresh_from_db()
    assert (ended_app.status, running_app.status) == (Status.PUBLISHED, Status.IN_NOTICE)
    assert PublicNotice.objects.get(pk=running.pk).status == PublicNotice.Status.OPEN


def test_close_ended_notices_goes_on_after_a_failing_batch(freeze_today, monkeypatch):
    first = factories.PublicNoticeFactory(start_date=datetime.date(2025, 6, 2), end_date=datetime.date(2025, 6, 9))
    second = factories.PublicNoticeFactory(start_date=datetime.date(2025, 6, 3), end_date=datetime.date(2025, 6, 10))
    freeze_today(datetime.date(2025, 6, 11))
    from review import services

    real = services.notice_close

    def flaky(*, notice_id, by=None):
        if notice_id == first.pk:
            raise RuntimeError("database hiccup")
        return real(notice_id=notice_id, by=by)

    monkeypatch.setattr(services, "notice_close", flaky)
    assert tasks.close_ended_notices() == {"closed": [second.pk], "published": []}
    assert PublicNotice.objects.get(pk=first.pk).status == PublicNotice.Status.OPEN
