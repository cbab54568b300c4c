"""Every notice batch status × closing it: an open batch past its last day closes (closed_at, the
NOTICE_CLOSED row); a closed one is left as it is by the service (closing is idempotent) and
refused by the guarded function; only the nightly run or a city administrator closes one."""

import datetime

import pytest
from django.utils import timezone

from audit.actions import AuditAction
from audit.models import AuditEntry
from core.errors import Refused
from review import services, workflow
from review.models import PublicNotice
from tests import factories

pytestmark = pytest.mark.django_db

N = PublicNotice.Status


def _ended_notice(status: str) -> PublicNotice:
    today = timezone.localdate()
    return factories.PublicNoticeFactory(
        status=status, start_date=today - datetime.timedelta(days=9), end_date=today - datetime.timedelta(days=1)
    )


def _snapshot(notice: PublicNotice):
    return (
        PublicNotice.objects.values_list("status", "closed_at").get(pk=notice.pk),
        list(AuditEntry.objects.filter(action=AuditAction.NOTICE_CLOSED).values_list("actor_id", "reason")),
    )


@pytest.mark.parametrize("status", N.values)
@pytest.mark.parametrize("closer", ["system", "city_admin"])
def test_every_notice_status_and_close(status, closer, city_admin):
    notice = _ended_notice(status)
    by = city_admin if closer == "city_admin" else None
    before = _snapshot(notice)
    services.notice_close(notice_id=notice.pk, by=by)
    (after_status, closed_at), rows = _snapshot(notice)
    if status == N.OPEN:
        assert after_status == N.CLOSED and closed_at is not None
        assert rows == [(getattr(by, "pk", None), f"《{notice.title}》公示期满：公布0人，因异议未处理暂缓公布0人。")]
    else:
        assert _snapshot(notice) == before


def test_a_reviewer_cannot_close_a_notice(reviewer):
    notice = _ended_notice(N.OPEN)
    before = _snapshot(notice)
    with pytest.raises(Refused, match="只有市人社局管理员"):
        services.notice_close(notice_id=notice.pk, by=reviewer)
    assert _snapshot(notice) == before


@pytest.mark.parametrize("status", N.values)
@pytest.mark.parametrize("actor", workflow.Actor.values)
def test_guarded_function_refuses_every_move_outside_the_table(status, actor):
    notice = _ended_notice(status)
    before = _snapshot(notice)
    if status == N.OPEN and actor in (workflow.Actor.CITY_ADMIN, workflow.Actor.SYSTEM):
        workflow.notice_transition(notice, action=AuditAction.NOTICE_CLOSED, actor=actor, reason="期满")
        assert _snapshot(notice)[0][0] == N.CLOSED
        assert AuditEntry.objects.filter(action=AuditAction.NOTICE_CLOSED, reason="期满").count() == 1
    else:
        with pytest.raises(Refused, match="您无权执行|公示当前状态为“公示结束”"):
            workflow.notice_transition(notice, action=AuditAction.NOTICE_CLOSED, actor=actor, reason="期满")
        assert _snapshot(notice) == before
