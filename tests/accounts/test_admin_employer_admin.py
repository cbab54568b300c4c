"""The city administrator decides employer-admin requests in the Django admin, through the services."""

import pytest
from django.urls import reverse

from accounts.models import EmployerAdmin
from tests import factories

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:accounts_employeradmin_changelist")


@pytest.fixture
def admin_client_(login_client, city_admin):
    return login_client(city_admin)


def test_changelist_shows_requests_with_the_licence_link(admin_client_):
    right = factories.EmployerAdminFactory(status="pending")
    html = admin_client_.get(CHANGELIST).content.decode()
    assert right.employer.name in html and "查看营业执照" in html
    assert reverse("accounts:employer_admin_licence", args=[right.public_id]) in html


def test_approve_asks_for_a_note_then_records_the_decision(admin_client_, city_admin):
    right = factories.EmployerAdminFactory(status="pending")
    data = {"action": "approve_selected", "_selected_action": [right.pk]}
    page = admin_client_.post(CHANGELIST, data)
    assert page.status_code == 200 and "批准单位系统管理员权限" in page.content.decode()
    done = admin_client_.post(CHANGELIST, {**data, "apply": "1", "note": "材料齐全"})
    assert done.status_code == 302
    right.refresh_from_db()
    assert right.status == EmployerAdmin.Status.APPROVED
    assert right.decided_by == city_admin and right.decision_note == "材料齐全"


def test_refusal_without_a_reason_is_not_applied(admin_client_):
    right = factories.EmployerAdminFactory(status="pending")
    data = {"action": "refuse_selected", "_selected_action": [right.pk], "apply": "1", "note": ""}
    page = admin_client_.post(CHANGELIST, data)
    assert "请填写理由" in page.content.decode()
    right.refresh_from_db()
    assert right.status == EmployerAdmin.Status.PENDING
    admin_client_.post(CHANGELIST, {**data, "note": "执照模糊"})
    right.refresh_from_db()
    assert right.status == EmployerAdmin.Status.REFUSED and right.decision_note == "执照模糊"


def test_cancel_action_ends_an_approved_right(admin_client_, city_admin):
    right = factories.EmployerAdminFactory(status="approved")
    admin_client_.post(
        CHANGELIST, {"action": "cancel_selected", "_selected_action": [right.pk], "apply": "1", "note": "已离职"}
    )
    right.refresh_from_db()
    assert right.status == EmployerAdmin.Status.CANCELLED and right.cancelled_by == city_admin


def test_an_action_on_an_already_decided_request_reports_the_reason(admin_client_):
    right = factories.EmployerAdminFactory(status="refused")
    response = admin_client_.post(
        CHANGELIST, {"action": "approve_selected", "_selected_action": [right.pk], "apply": "1"}, follow=True
    )
    assert "只能审核待审核的申请" in response.content.decode()
    right.refresh_from_db()
    assert right.status == EmployerAdmin.Status.REFUSED


def test_reference_models_are_in_the_admin(admin_client_):
    for name in ["reference_district", "reference_subsystem", "reference_contentpage", "reference_calendaroverride",
                 "accounts_user", "accounts_employer", "accounts_usersubsystem", "quota_quota",
                 "audit_auditentry"]:  # fmt: skip
        assert admin_client_.get(reverse(f"admin:{name}_changelist")).status_code == 200, name


def test_user_admin_pages_open(admin_client_, applicant):
    assert admin_client_.get(reverse("admin:accounts_user_change", args=[applicant.pk])).status_code == 200
    assert admin_client_.get(reverse("admin:accounts_user_add")).status_code == 200
    html = admin_client_.get(reverse("admin:accounts_user_changelist"), {"q": applicant.id_number}).content.decode()
    assert applicant.username in html


def test_city_admin_creates_a_reviewer_in_the_admin(admin_client_, district):
    from accounts.models import Role, User

    response = admin_client_.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "reviewer_new",
            "full_name": "新审核员",
            "role": Role.REVIEWER,
            "district": district.pk,
            "password1": "Gz2026rev",
            "password2": "Gz2026rev",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    created = User.objects.get(username="reviewer_new")
    assert created.role == Role.REVIEWER and created.district == district and created.check_password("Gz2026rev")
