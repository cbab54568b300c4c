"""Fixtures of the review tests: applications in every state, a frozen 'today', a quota."""

import datetime

import pytest
from django.utils import timezone

from applications.choices import Status
from tests import factories


@pytest.fixture
def freeze_today(monkeypatch):
    """freeze_today(date): timezone.localdate() answers that date (the services read 'today' from it)."""
    real_localdate = timezone.localdate

    def freeze(day: datetime.date):
        def localdate(value=None, timezone=None):
            if value is None:
                return day
            return real_localdate(value, timezone)

        monkeypatch.setattr("django.utils.timezone.localdate", localdate)
        return day

    return freeze


def make_application(status: str = Status.SUBMITTED, *, subcategory: str = "2.2", **fields):
    """A submitted application of 天河区 moved straight to `status` (the factory's way, no audit)."""
    today = timezone.localdate()
    defaults = {
        "accept_due_on": today + datetime.timedelta(days=7),
        "subcategory": factories.subcategory(subcategory),
    }
    if status in (Status.UNDER_REVIEW, Status.IN_NOTICE, Status.PUBLISHED, Status.REJECTED):
        defaults.update(accepted_at=timezone.now(), decision_due_on=today + datetime.timedelta(days=21))
    defaults.update(fields)
    if status == Status.DRAFT:
        return factories.ApplicationFactory(**defaults)
    return factories.ApplicationFactory(submitted=True, status=status, **defaults)


@pytest.fixture
def submitted_app(db):
    return make_application(Status.SUBMITTED)


@pytest.fixture
def under_review_app(db):
    return make_application(Status.UNDER_REVIEW)


@pytest.fixture
def quota_app(db):
    """A 五、其他 (一) application under review: needs a 总量控制 place to be approved."""
    return make_application(Status.UNDER_REVIEW, subcategory="5.1")


@pytest.fixture
def tianhe_quota(db, district):
    return factories.QuotaFactory(district=district, total_places=2)
