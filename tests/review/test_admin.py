"""The city administrator's admin: quota with clear messages, the audit trail read-only, and the
database trigger that keeps audit rows from ever changing."""

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.urls import reverse

from applications.choices import Status
from audit.actions import AuditAction
from audit.models import AuditEntry
from quota.models import Quota
from review import services
from tests import factories
from tests.builders import build_application

pytestmark = pytest.mark.django_db


INLINE = {"reservations-TOTAL_FORMS": "0", "reservations-INITIAL_FORMS": "0"}


@pytest.fixture
def admin_client(login_client, city_admin):
    return login_client(city_admin)


def test_audit_trail_is_readable_but_cannot_be_added_changed_or_deleted(admin_client, reviewer):
    app = build_application(Status.SUBMITTED)
    services.application_accept(application_id=app.pk, by=reviewer)
    row = AuditEntry.objects.get(action=AuditAction.ACCEPT)
    listing = admin_client.get(reverse("admin:audit_auditentry_changelist"))
    assert listing.status_code == 200 and "受理" in listing.content.decode()
    change_url = reverse("admin:audit_auditentry_change", args=[row.pk])
    page = admin_client.get(change_url).content.decode()
    assert 'name="reason"' not in page  # shown, not editable
    assert admin_client.post(change_url, {"reason": "改写"}).status_code == 403
    assert admin_client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    assert admin_client.post(reverse("admin:audit_auditentry_delete", args=[row.pk]), {"post": "yes"}).status_code == 403
    row.refresh_from_db()
    assert row.reason == ""
    assert list(AuditEntry.objects.order_by("pk").values_list("action", flat=True)) == ["submit", "accept"]


def test_quota_admin_sets_places_with_clear_messages(admin_client, district):
    add_url = reverse("admin:quota_quota_add")
    data = {"year": 2026, "district": district.pk, "employer": "", "total_places": 30, **INLINE}
    assert admin_client.post(add_url, data).status_code == 302
    response = admin_client.post(add_url, data)
    assert "该年度已为此区设置了指标" in response.content.decode()
    assert Quota.objects.count() == 1


def test_quota_cannot_drop_below_what_is_taken(admin_client, district):
    quota = factories.QuotaFactory(district=district, year=2026, total_places=5, reserved=2, used=2)
    response = admin_client.post(
        reverse("admin:quota_quota_change", args=[quota.pk]),
        {"year": 2026, "district": district.pk, "employer": "", "total_places": 3, **INLINE},
    )
    assert "指标总数不能少于4" in response.content.decode()
    quota.refresh_from_db()
    assert quota.total_places == 5


def test_employer_share_only_for_a_key_employer_of_that_district(admin_client, district, other_district):
    ordinary = factories.EmployerFactory()
    key = factories.EmployerFactory(is_key_employer=True)
    add_url = reverse("admin:quota_quota_add")
    page = admin_client.post(add_url, {"year": 2026, "district": district.pk, "employer": ordinary.pk, "total_places": 3, **INLINE})
    assert "只有重点扶持用人单位" in page.content.decode()
    page = admin_client.post(add_url, {"year": 2026, "district": other_district.pk, "employer": key.pk, "total_places": 3, **INLINE})
    assert "该单位所在区为天河区" in page.content.decode()
    assert admin_client.post(add_url, {"year": 2026, "district": district.pk, "employer": key.pk, "total_places": 3, **INLINE}).status_code == 302


def test_reviewers_cannot_open_the_admin(login_client, reviewer):
    response = login_client(reviewer).get(reverse("admin:quota_quota_changelist"))
    assert response.status_code == 302


def test_quota_check_constraint_refuses_overselling_in_the_database(district):
    quota = factories.QuotaFactory(district=district, total_places=1, reserved=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Quota.objects.filter(pk=quota.pk).update(reserved=2)


@pytest.mark.postgres
def test_database_refuses_to_update_or_delete_an_audit_row(reviewer):
    app = build_application(Status.SUBMITTED)
    services.application_accept(application_id=app.pk, by=reviewer)
    row = AuditEntry.objects.get(action=AuditAction.ACCEPT)
    with pytest.raises(DatabaseError, match="审核记录不可修改或删除"), transaction.atomic():
        AuditEntry.objects.filter(pk=row.pk).update(reason="改写")
    with pytest.raises(DatabaseError, match="审核记录不可修改或删除"), transaction.atomic():
        AuditEntry.objects.filter(pk=row.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE applications_auditentry SET ip_address = '127.0.0.1'")
    row.refresh_from_db()
    assert row.reason == "" and row.action == "accept"
