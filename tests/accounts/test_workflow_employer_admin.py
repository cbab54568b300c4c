"""accounts.workflow: the employer administrator's right moves only as its table allows."""

import pytest
from django.core.exceptions import ValidationError

from accounts import services
from accounts.models import EmployerAdmin
from accounts.workflow import TRANSITIONS, Actor, Move, transition
from tests import factories

pytestmark = pytest.mark.django_db

E = EmployerAdmin.Status
ALLOWED = {
    (E.PENDING, Move.APPROVE): E.APPROVED,
    (E.PENDING, Move.REFUSE): E.REFUSED,
    (E.PENDING, Move.CANCEL): E.CANCELLED,
    (E.APPROVED, Move.CANCEL): E.CANCELLED,
}


@pytest.mark.parametrize("status", list(E))
@pytest.mark.parametrize("move", list(Move))
def test_every_status_and_move(status, move):
    right = factories.EmployerAdminFactory(status=status)
    if (status, move) in ALLOWED:
        transition(right, move=move, actor=Actor.CITY_ADMIN)
        right.refresh_from_db()
        assert right.status == ALLOWED[(status, move)]
    else:
        with pytest.raises(ValidationError) as refused:
            transition(right, move=move, actor=Actor.CITY_ADMIN)
        assert refused.value.messages[0].startswith(f"该申请当前状态为“{E(status).label}”")
        right.refresh_from_db()
        assert right.status == status


def test_only_the_city_administrator_decides_a_request():
    assert TRANSITIONS[Move.APPROVE].actors == {Actor.CITY_ADMIN}
    assert TRANSITIONS[Move.CANCEL].actors == {Actor.APPLICANT, Actor.CITY_ADMIN}


def test_the_services_move_the_right_through_the_table_and_keep_the_decision_fields():
    admin = factories.CityAdminFactory()
    right = factories.EmployerAdminFactory(status=E.PENDING)
    services.employer_admin_approve(request_id=right.pk, by=admin, note="")
    right.refresh_from_db()
    assert (right.status, right.decided_by, right.decision_note) == (
        E.APPROVED, admin, "经审核，同意授予单位系统管理员权限。",
    )  # fmt: skip
    services.employer_admin_cancel(request_id=right.pk, by=right.user)
    right.refresh_from_db()
    assert (right.status, right.cancelled_by, right.cancel_note) == (E.CANCELLED, right.user, "本人申请取消")
    with pytest.raises(ValidationError, match="无需取消"):
        services.employer_admin_cancel(request_id=right.pk, by=right.user)
