"""Every state × every reviewer action: the allowed moves work, every other one is refused with a
message and changes nothing (status, audit trail, notice, quota, objections)."""

import datetime

import pytest

from applications.choices import Status
from applications.workflow import TransitionNotAllowed
from audit.models import AuditEntry
from quota.models import Quota, QuotaReservation
from quota.services import QuotaUnavailable
from review import services
from review.models import NoticeEntry, Objection
from tests import factories
from tests.builders import build_application

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 6, 11)  # a Wednesday
HISTORY_DAY = datetime.date(2025, 6, 3)  # acceptance due 10 June; a notice from 3 to 10 June
ENDED_NOTICE = {"start_date": datetime.date(2025, 6, 3), "end_date": datetime.date(2025, 6, 10)}

ACTIONS = ["accept", "auto_accept", "return", "reject", "approve", "extend", "publish", "uphold_objection", "dismiss_objection"]
ALLOWED = {
    "accept": {Status.SUBMITTED},
    "auto_accept": {Status.SUBMITTED},
    "return": {Status.SUBMITTED, Status.UNDER_REVIEW},
    "reject": {Status.UNDER_REVIEW},
    "approve": {Status.UNDER_REVIEW},
    "extend": {Status.UNDER_REVIEW},
    "publish": {Status.IN_NOTICE},
    "uphold_objection": {Status.IN_NOTICE},
    # Dismissing keeps the status; it is allowed whenever an objection is open on an application in notice.
    "dismiss_objection": {Status.IN_NOTICE},
}
EXPECTED_STATUS = {
    "accept": Status.UNDER_REVIEW,
    "auto_accept": Status.UNDER_REVIEW,
    "return": Status.RETURNED,
    "reject": Status.REJECTED,
    "approve": Status.IN_NOTICE,
    "extend": Status.UNDER_REVIEW,
    "publish": Status.PUBLISHED,
    "uphold_objection": Status.REJECTED,
    "dismiss_objection": Status.PUBLISHED,  # its notice has ended, so dismissing publishes it
}


def _setup(status: str, action: str):
    """An application of 五、其他 in `status`, built through the services a week before TODAY (so its
    acceptance is overdue and, in notice, its notice has ended), with an open objection when the
    action is about one.

    For an action about the notice, a state that never has a notice entry is given one on an ended
    notice (and an objection on it) by hand: a corrupted row on purpose, to show that the status
    alone refuses the move."""
    factories.QuotaFactory(district=factories.district("440106"), year=HISTORY_DAY.year, total_places=5)
    about_the_notice = action in ("publish", "uphold_objection", "dismiss_objection")
    wants_objection = action in ("uphold_objection", "dismiss_objection")
    if status == Status.IN_NOTICE:
        app = build_application(status, subcategory="5.1", on=HISTORY_DAY, objection=wants_objection)
        objection = app.notice_entry.objections.first()
        return app, objection
    app = build_application(status, subcategory="5.1", on=HISTORY_DAY)
    objection = None
    if about_the_notice and not NoticeEntry.objects.filter(application=app).exists():
        notice = factories.PublicNoticeFactory(district=app.district, **ENDED_NOTICE)
        entry = NoticeEntry.objects.create(notice=notice, application=app)
        if wants_objection:
            objection = factories.ObjectionFactory(entry=entry)
    elif wants_objection:  # published: the notice ended without objection; one is planted on it
        objection = factories.ObjectionFactory(entry=app.notice_entry)
    return app, objection


def _run(action: str, app, objection, by):
    if action == "accept":
        services.application_accept(application_id=app.pk, by=by)
    elif action == "auto_accept":
        accepted = services.application_auto_accept_overdue(today=TODAY)
        if app.pk not in accepted:
            raise TransitionNotAllowed("未自动受理")
    elif action == "return":
        services.application_return_for_correction(application_id=app.pk, by=by, items=["补充材料"])
    elif action == "reject":
        services.application_reject(application_id=app.pk, by=by, reason="不符合条件")
    elif action == "approve":
        services.application_approve(application_id=app.pk, by=by)
    elif action == "extend":
        services.application_extend_decision(application_id=app.pk, by=by, reason="需要核查")
    elif action == "publish":
        services.application_publish(application_id=app.pk, by=by)
    elif action == "uphold_objection":
        services.objection_uphold(objection_id=objection.pk, by=by, resolution="异议属实")
    elif action == "dismiss_objection":
        services.objection_dismiss(objection_id=objection.pk, by=by, resolution="异议不属实")


def _snapshot(app):
    return {
        "status": type(app).objects.values_list("status", flat=True).get(pk=app.pk),
        "audit": AuditEntry.objects.filter(application=app).count(),
        "entries": NoticeEntry.objects.filter(application=app).count(),
        "reservations": list(QuotaReservation.objects.filter(application=app).values_list("status", flat=True)),
        "quota": list(Quota.objects.values_list("reserved", "used")),
        "objections": list(Objection.objects.filter(entry__application=app).values_list("status", flat=True)),
        "decision_due_on": type(app).objects.values_list("decision_due_on", flat=True).get(pk=app.pk),
    }


@pytest.mark.parametrize("status", [s.value for s in Status])
@pytest.mark.parametrize("action", ACTIONS)
def test_every_state_and_action(status, action, reviewer, freeze_today, django_capture_on_commit_callbacks):
    freeze_today(TODAY)
    app, objection = _setup(status, action)
    before = _snapshot(app)
    if status in ALLOWED[action]:
        with django_capture_on_commit_callbacks(execute=False):
            _run(action, app, objection, reviewer)
        after = _snapshot(app)
        assert after["status"] == EXPECTED_STATUS[action]
        assert after["audit"] > before["audit"], "every decision leaves an audit row"
        if action == "approve":
            assert after["reservations"] == [QuotaReservation.Status.RESERVED]
            assert after["entries"] == 1
        if action == "extend":
            assert after["decision_due_on"] > before["decision_due_on"]
    else:
        with pytest.raises((TransitionNotAllowed, services.DecisionRefused, QuotaUnavailable)) as refused:
            _run(action, app, objection, reviewer)
        assert str(refused.value), "a refusal always says why"
        assert _snapshot(app) == before
