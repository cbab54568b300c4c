"""Every objection status × every decision on it (uphold, dismiss): an open objection is settled
and the application's trail records it; a settled one is refused with a message and nothing
changes (objection, application, audit trail)."""

import pytest

from applications.choices import Status
from applications.models import Application
from audit.actions import AuditAction
from audit.models import AuditEntry
from core.errors import Refused
from review import services, workflow
from review.models import Objection
from tests import factories

pytestmark = pytest.mark.django_db

OS = Objection.Status
ACTIONS = [AuditAction.UPHOLD_OBJECTION, AuditAction.OBJECTION_DISMISSED]
TARGET = {AuditAction.UPHOLD_OBJECTION: OS.UPHELD, AuditAction.OBJECTION_DISMISSED: OS.DISMISSED}
# The notice is still running, so a dismissed objection leaves the application in notice.
APPLICATION_AFTER = {AuditAction.UPHOLD_OBJECTION: Status.REJECTED, AuditAction.OBJECTION_DISMISSED: Status.IN_NOTICE}


def _objection(status: str) -> Objection:
    return factories.ObjectionFactory(status=status)


def _snapshot(objection: Objection):
    app_id = objection.entry.application_id
    return {
        "objections": list(
            Objection.objects.filter(entry=objection.entry).order_by("pk").values_list("status", "resolution")
        ),
        "application": Application.objects.values_list("status", flat=True).get(pk=app_id),
        "audit": list(AuditEntry.objects.filter(application_id=app_id).values_list("action", flat=True)),
    }


def _decide(action: str, objection: Objection, by) -> None:
    decide = services.objection_uphold if action == AuditAction.UPHOLD_OBJECTION else services.objection_dismiss
    decide(objection_id=objection.pk, by=by, resolution="经核实")


@pytest.mark.parametrize("status", OS.values)
@pytest.mark.parametrize("action", ACTIONS)
def test_every_objection_status_and_decision(status, action, reviewer, django_capture_on_commit_callbacks):
    objection = _objection(status)
    before = _snapshot(objection)
    if status == OS.OPEN:
        with django_capture_on_commit_callbacks(execute=False):
            _decide(action, objection, reviewer)
        after = _snapshot(objection)
        assert after["objections"] == [(TARGET[action], "经核实")]
        assert after["application"] == APPLICATION_AFTER[action]
        assert after["audit"] == [*before["audit"], action]
        objection.refresh_from_db()
        assert objection.decided_by == reviewer and objection.decided_at is not None
    else:
        with pytest.raises(Refused, match="该异议已处理"):
            _decide(action, objection, reviewer)
        assert _snapshot(objection) == before


@pytest.mark.parametrize("status", OS.values)
@pytest.mark.parametrize("action", ACTIONS)
def test_guarded_function_refuses_every_move_outside_the_table(status, action):
    objection = _objection(status)
    app = objection.entry.application
    before = _snapshot(objection)
    if status == OS.OPEN:
        entry = workflow.objection_transition(
            objection, action=action, actor=workflow.Actor.REVIEWER, application=app
        )
        assert entry.action == action and entry.application == app
        assert _snapshot(objection)["objections"][0][0] == TARGET[action]
    else:
        with pytest.raises(Refused, match=f"异议当前状态为“{OS(status).label}”"):
            workflow.objection_transition(objection, action=action, actor=workflow.Actor.REVIEWER, application=app)
        assert _snapshot(objection) == before


@pytest.mark.parametrize("action", ACTIONS)
def test_only_a_reviewer_settles_an_objection(action):
    objection = _objection(OS.OPEN)
    before = _snapshot(objection)
    with pytest.raises(Refused, match="您无权执行"):
        workflow.objection_transition(
            objection, action=action, actor=workflow.Actor.SYSTEM, application=objection.entry.application
        )
    assert _snapshot(objection) == before


def test_upholding_settles_every_open_objection_and_leaves_settled_ones(reviewer):
    first = _objection(OS.OPEN)
    second = factories.ObjectionFactory(entry=first.entry)
    dismissed = factories.ObjectionFactory(entry=first.entry, status=OS.DISMISSED, resolution="早前不成立")
    services.objection_uphold(objection_id=first.pk, by=reviewer, resolution="异议属实")
    statuses = dict(Objection.objects.filter(entry=first.entry).values_list("pk", "status"))
    assert statuses == {first.pk: OS.UPHELD, second.pk: OS.UPHELD, dismissed.pk: OS.DISMISSED}
    dismissed.refresh_from_db()
    assert dismissed.resolution == "早前不成立"
