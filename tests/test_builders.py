"""tests.builders: each state comes with the history production gives it."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from applications.choices import Relation, Status
from audit.models import AuditEntry
from core.notifications import LocmemSmsBackend
from hukou_card.models import HukouCard
from quota.models import QuotaReservation
from review.models import PublicNotice
from tests import factories
from tests.builders import build_application

pytestmark = pytest.mark.django_db

HISTORY = {
    Status.DRAFT: [],
    Status.SUBMITTED: ["submit"],
    Status.RETURNED: ["submit", "return_for_correction"],
    Status.WITHDRAWN: ["submit", "withdraw"],
    Status.UNDER_REVIEW: ["submit", "accept"],
    Status.REJECTED: ["submit", "accept", "reject"],
    Status.IN_NOTICE: ["submit", "accept", "approve"],
    Status.PUBLISHED: ["submit", "accept", "approve", "publish", "card_issue"],
}
RESERVATION = {
    Status.IN_NOTICE: [QuotaReservation.Status.RESERVED],
    Status.PUBLISHED: [QuotaReservation.Status.CONSUMED],
}


@pytest.mark.parametrize("state", list(HISTORY))
def test_every_state_has_its_audit_trail_notice_and_quota_place(state):
    app = build_application(state, subcategory="5.1")
    assert app.status == state
    actions = list(AuditEntry.objects.filter(application=app).order_by("pk").values_list("action", flat=True))
    assert actions == HISTORY[state]
    reservations = list(QuotaReservation.objects.filter(application=app).values_list("status", flat=True))
    assert reservations == RESERVATION.get(state, [])
    in_a_notice = state in (Status.IN_NOTICE, Status.PUBLISHED)
    assert hasattr(app, "notice_entry") is in_a_notice
    if state != Status.DRAFT:
        assert app.number and app.accept_due_on is not None


def test_a_published_application_had_its_notice_end_and_its_cards_issued():
    spouse = factories.make_resident_id(datetime.date(1991, 5, 17), male=False)
    app = build_application(Status.PUBLISHED, family=[("李晓红", spouse, Relation.SPOUSE)])
    notice = app.notice_entry.notice
    assert notice.status == PublicNotice.Status.CLOSED and notice.end_date < timezone.localdate()
    assert app.submitted_at < app.accepted_at < app.decided_at < app.published_at
    cards = HukouCard.objects.filter(application=app)
    assert sorted(cards.values_list("holder_name", flat=True)) == sorted([app.full_name, "李晓红"])


def test_the_history_messages_stay_out_of_the_test_outboxes():
    mail.outbox.append("kept")
    build_application(Status.UNDER_REVIEW)
    assert mail.outbox == ["kept"] and LocmemSmsBackend.outbox == []


def test_an_open_objection_is_raised_during_the_notice():
    app = build_application(Status.IN_NOTICE, objection=True)
    objection = app.notice_entry.objections.get()
    assert objection.status == objection.Status.OPEN
    assert AuditEntry.objects.filter(application=app, action="objection_raised").exists()
    with pytest.raises(ValueError, match="in notice"):
        build_application(Status.SUBMITTED, objection=True)


def test_published_before_the_worker_ran_has_no_card_yet():
    app = build_application(Status.PUBLISHED, issue_cards=False)
    assert app.status == Status.PUBLISHED and app.published_at is not None
    assert not HukouCard.objects.filter(application=app).exists()
    assert not AuditEntry.objects.filter(application=app, action="card_issue").exists()
