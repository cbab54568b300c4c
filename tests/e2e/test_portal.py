"""The 门户 on a phone, and the 单位系统管理员权限 journey: request, approval, 单位 login, cancel."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts import services
from accounts.models import EmployerAdmin, UserSubsystem
from core.text import cn_date_with_weekday
from reference.fixtures import TALENT_SUBSYSTEM_SLUG
from reference.models import Subsystem
from tests import factories
from tests.e2e.conftest import login, screenshot, scripts_ready

pytestmark = pytest.mark.django_db(transaction=True)


def test_portal_on_a_phone(phone_page, applicant):
    UserSubsystem.objects.create(user=applicant, subsystem=Subsystem.objects.get(slug=TALENT_SUBSYSTEM_SLUG))
    page = phone_page
    login(page, applicant.username, factories.PASSWORD)
    expect(page.get_by_test_id("today")).to_have_text(cn_date_with_weekday(timezone.localdate()))
    expect(page.get_by_role("button", name="退出（注销）")).to_be_visible()
    expect(page.get_by_test_id("my-app")).to_contain_text("人才引进申办系统")
    screenshot(page, "portal-home-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="退出（注销）").click()
    expect(page.get_by_text("您已安全退出系统")).to_be_visible()


def test_employer_admin_request_approval_and_cancel(page, applicant, city_admin, tmp_path):
    employer = factories.EmployerFactory(name="广州天河软件科技有限公司")
    licence = tmp_path / "营业执照.jpg"
    licence.write_bytes(factories.jpeg_bytes(800, 600))
    not_a_jpeg = tmp_path / "执照.jpg"
    not_a_jpeg.write_bytes(b"%PDF-1.7\n" + b"0" * 500)

    login(page, applicant.username, factories.PASSWORD)
    page.get_by_role("link", name="单位系统管理员权限申请").click()
    page.get_by_role("link", name="单位系统管理员权限申请").click()
    page.get_by_role("searchbox").fill("天河软件")
    page.get_by_role("button", name="搜索").click()
    page.get_by_label(employer.name).check()
    page.get_by_label("申请说明").fill("人事部经理")

    # A PDF named .jpg is refused beside the field; the choice and the note stay.
    page.get_by_label("营业执照", exact=True).set_input_files(str(not_a_jpeg))
    page.get_by_label("本人承诺已获单位授权").check()
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator("#id_business_licence_error")).to_contain_text("该文件实际是PDF文件")
    expect(page.get_by_label(employer.name)).to_be_checked()
    expect(page.get_by_label("申请说明")).to_have_value("人事部经理")

    page.get_by_label("营业执照", exact=True).set_input_files(str(licence))
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator(".alert-success")).to_contain_text("已提交")
    expect(page.get_by_test_id("employer-right")).to_contain_text("待审核")
    screenshot(page, "accounts-employer-admin-requests-desktop")

    # The city administrator approves (the admin action calls this service).
    right = EmployerAdmin.objects.get(user=applicant)
    services.employer_admin_approve(request_id=right.pk, by=city_admin)

    page.get_by_role("button", name="退出（注销）").click()
    login(page, applicant.username, factories.PASSWORD, user_type="单位")
    expect(page.get_by_test_id("administered-employer")).to_contain_text(employer.name)

    # The holder cancels the right (after confirming).
    page.get_by_role("link", name="管理我的单位系统管理员权限").click()
    expect(page.get_by_role("button", name="取消权限")).to_be_visible()
    scripts_ready(page)  # portal.js asks for the confirmation
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="取消权限").click()
    expect(page.get_by_test_id("employer-right")).to_contain_text("已取消")
    right.refresh_from_db()
    assert right.status == EmployerAdmin.Status.CANCELLED
