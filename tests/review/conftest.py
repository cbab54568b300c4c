"""Fixtures of the review tests: applications built through the services (tests.builders), a frozen
'today', a quota."""

import datetime

import pytest
from django.utils import timezone

from applications.choices import Status
from tests import factories
from tests.builders import build_application


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


@pytest.fixture
def submitted_app(db, reviewer):
    return build_application(Status.SUBMITTED, reviewer=reviewer)


@pytest.fixture
def under_review_app(db, reviewer):
    return build_application(Status.UNDER_REVIEW, reviewer=reviewer)


@pytest.fixture
def quota_app(db, reviewer):
    """A 五、其他 (一) application under review: needs a 总量控制 place to be approved."""
    return build_application(Status.UNDER_REVIEW, subcategory="5.1", reviewer=reviewer)


@pytest.fixture
def tianhe_quota(db, district):
    return factories.QuotaFactory(district=district, total_places=2)
