"""Headless-Chromium journey of 个人信息查阅记录 and 下载我的个人信息: a reviewer opens an application
already decided, is asked why and says so; the applicant sees that view, with the reason, on their
own page, then asks for their copy with their password and downloads the ZIP."""

import io
import json
import zipfile

import pytest
from playwright.sync_api import expect

from applications.choices import Status
from tests import factories
from tests.builders import build_application
from tests.e2e.conftest import login, screenshot, scripts_ready
from tests.e2e.test_review_journey import console_login, new_page
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

REASON = "申请人来电咨询不予通过的理由，核对审核意见"


def test_a_reviewer_gives_a_reason_and_the_applicant_sees_it_and_downloads_their_copy(browser, live_server):
    app = build_application(Status.REJECTED)
    reviewer = factories.ReviewerFactory(username="th_privacy", full_name="王审核")

    # 1. The reviewer opens the rejected application: the console asks why first.
    staff = new_page(browser, live_server)
    console_login(staff, reviewer.username)
    expect(staff.get_by_role("heading", name="审核队列")).to_be_visible()
    staff.goto(f"/console/applications/{app.public_id}/")
    expect(staff.get_by_role("heading", name="说明查阅理由")).to_be_visible()
    scripts_ready(staff)
    expect(staff.get_by_text(app.id_number)).to_have_count(0)
    staff.get_by_role("button", name="确认并查阅").click()
    expect(staff.get_by_text("请填写查阅理由。")).to_be_visible()
    screenshot(staff, "review-access-reason-desktop")
    staff.get_by_label("查阅理由").fill(REASON)
    staff.get_by_role("button", name="确认并查阅").click()
    expect(staff.get_by_text(app.id_number).first).to_be_visible()
    staff.context.close()

    # 2. The applicant finds the view on 个人信息查阅记录, with the bureau, role and reason.
    person = new_page(browser, live_server)
    login(person, app.applicant.username, PASSWORD)
    person.get_by_role("link", name="个人信息查阅记录").click()
    # The detail page and each scan it showed inline: one row apiece, all for the reason given.
    rows = person.get_by_test_id("access-row")
    expected = 1 + app.attachments.count()
    expect(rows).to_have_count(expected)
    expect(rows.filter(has_text="申报信息（含身份证号）")).to_have_count(1)
    expect(rows.filter(has_text="证件扫描件")).to_have_count(expected - 1)
    expect(rows.filter(has_text=REASON)).to_have_count(expected)
    expect(rows.filter(has_text="广州市天河区人力资源和社会保障局 区人社局审核员")).to_have_count(expected)
    expect(rows.filter(has_text="王审核")).to_have_count(0)
    screenshot(person, "portal-access-log-desktop")

    # 3. 下载我的个人信息: the password again, the worker builds it, the ZIP downloads.
    person.goto("/privacy/")
    person.get_by_label("登录密码").first.fill(PASSWORD)
    person.get_by_role("button", name="生成下载包").click()
    expect(person.get_by_test_id("export-status")).to_contain_text("下载包已生成")
    screenshot(person, "portal-privacy-desktop")
    with person.expect_download() as download_info:
        person.get_by_test_id("export").get_by_role("link", name="下载").click()
    archive = zipfile.ZipFile(io.BytesIO(open(download_info.value.path(), "rb").read()))
    account = json.loads(archive.read("帐号信息.json"))
    assert account["登录帐号"] == app.applicant.username
    assert REASON in archive.read("个人信息查阅记录.csv").decode("utf-8-sig")
    person.context.close()
