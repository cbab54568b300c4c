"""A submit while PostgreSQL refuses connections, in Chromium: the applicant sees 系统繁忙，请稍后重试
and, once the database is back, 重新提交 sends everything typed, so nothing has to be typed again.

The live server runs on this test database; tests/core/test_database_unavailable.database_refusing
makes it refuse connections and cuts the ones it has (ALTER DATABASE … ALLOW_CONNECTIONS false and
pg_terminate_backend, on the test database only)."""

import pytest
from django.db import connection
from playwright.sync_api import expect

from applications.models import Application
from tests.core.test_database_unavailable import database_refusing
from tests.e2e.conftest import login, screenshot, scripts_ready
from tests.e2e.test_application_journeys import applicant_user, expect_step, field, fill_personal, next_step
from tests.factories import PASSWORD, ApplicationFactory, EmployerFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_wizard_step_submitted_during_a_database_outage_keeps_what_was_typed(page, live_server):
    user = applicant_user("陈思远", 30, username="chensiyuan")
    employer = EmployerFactory(name="广州珠江智造科技有限公司")
    application = ApplicationFactory(
        applicant=user,
        completed_steps=["commitment", "declaration", "category"],
        graduate_school="",
        employer=None,
    )
    login(page, user.username, PASSWORD)
    expect(page.get_by_text("我的应用")).to_be_visible()
    page.goto(f"/talent/apply/{application.public_id}/personal/")
    expect_step(page, "个人信息")
    scripts_ready(page)
    fill_personal(
        page,
        employer_query="珠江智造",
        employer_name=employer.name,
        职务="结构工程师",
        拟入户地址="广州市天河区华穗路406号",
    )

    with database_refusing():
        next_step(page)
        expect(page.get_by_role("heading", name="系统繁忙，请稍后重试")).to_be_visible()
        expect(page.get_by_text("尚未生效")).to_be_visible()
        scripts_ready(page)
        screenshot(page, "database-unavailable-desktop")
    connection.close()  # this thread's connection was cut with the others
    application.refresh_from_db()
    assert application.graduate_school == "", "nothing was saved while the database refused"

    # The database is back: one click sends the same answers, and the step is saved as typed.
    page.get_by_role("button", name="重新提交").click()
    expect_step(page, "随迁人")
    application = Application.objects.get(pk=application.pk)
    assert application.graduate_school == "华南理工大学" and application.position == "结构工程师"
    assert application.intended_address == "广州市天河区华穗路406号"
    assert application.employer == employer and "personal" in application.completed_steps
    page.get_by_role("link", name="上一步").click()
    expect(field(page, "职务")).to_have_value("结构工程师")
