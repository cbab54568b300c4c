"""audit_record, the one writer of the trail, and the trigger that keeps the trail append-only."""

import pytest
from django.db import connection

from applications.choices import Status
from audit.actions import PUBLIC_ACTOR_ROLE, AuditAction, action_label, role_label
from audit.models import AuditEntry
from audit.services import audit_record
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_decision_that_keeps_the_status_is_recorded_at_it_for_the_applicant():
    application = factories.ApplicationFactory(submitted=True)
    reviewer = factories.ReviewerFactory()
    row = audit_record(action=AuditAction.EXTEND_DECISION, application=application, by=reviewer, reason="材料待核")
    row.refresh_from_db()
    assert (row.from_status, row.to_status) == (Status.SUBMITTED, Status.SUBMITTED)
    assert row.subject_user_id == application.applicant_id
    assert (row.actor, row.actor_role, row.reason) == (reviewer, reviewer.role, "材料待核")


def test_without_an_actor_the_system_acted_and_the_public_is_named_as_such():
    application = factories.ApplicationFactory(submitted=True)
    assert audit_record(action=AuditAction.AUTO_ACCEPT, application=application).actor_role == "system"
    raised = audit_record(action=AuditAction.OBJECTION_RAISED, application=application, actor_role=PUBLIC_ACTOR_ROLE)
    assert raised.actor is None and role_label(raised.actor_role) == "公众"


def test_every_action_has_its_label_and_a_retired_name_keeps_its_own():
    assert all(action_label(action) == action.label for action in AuditAction)
    assert action_label("some_retired_action") == "some_retired_action"


@pytest.mark.postgres
def test_the_trail_has_exactly_one_append_only_trigger():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
            [AuditEntry._meta.db_table],
        )
        assert cursor.fetchone()[0] == 1
