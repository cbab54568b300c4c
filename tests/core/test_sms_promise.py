"""With SMS_BACKEND=none no screen promises 短信; with a backend the status page says where SMS go."""

import importlib

import pytest

from accounts.forms import AccountInfoForm
from applications.choices import Status
from reference.models import ContentPage
from tests.builders import build_application
from tests.factories import ApplicationFactory

NO_SMS = "core.sms.NoSmsBackend"


@pytest.fixture
def no_sms(settings):
    settings.SMS_BACKEND = NO_SMS


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.parametrize("state", [Status.SUBMITTED, Status.UNDER_REVIEW, Status.IN_NOTICE, Status.RETURNED])
def test_status_page_promises_no_sms_when_sms_is_off(no_sms, reviewer, login_client, state):
    app = build_application(state, reviewer=reviewer)
    html = _page(login_client(app.applicant), "/talent/status/")
    assert "短信" not in html
    assert "办理结果将以邮件通知您" in html


def test_status_page_names_the_mobile_the_sms_go_to(reviewer, login_client):
    app = build_application(Status.SUBMITTED, reviewer=reviewer, contact_mobile="13912345678")
    html = _page(login_client(app.applicant), "/talent/status/")
    assert "将以短信（尾号5678）和邮件通知您" in html


def test_personal_step_hint_promises_sms_only_when_sms_is_on(db, login_client, settings):
    draft = ApplicationFactory(completed_steps=["commitment", "declaration", "category"])
    url = f"/talent/apply/{draft.public_id}/personal/"
    client = login_client(draft.applicant)
    assert "审核结果将以短信通知" in _page(client, url)
    settings.SMS_BACKEND = NO_SMS
    html = _page(client, url)
    assert "短信" not in html
    assert "联系手机" in html


def test_registration_mobile_hint_promises_sms_only_when_sms_is_on(settings):
    assert "短信" in AccountInfoForm().fields["mobile"].help_text
    settings.SMS_BACKEND = NO_SMS
    assert "短信" not in AccountInfoForm().fields["mobile"].help_text


def test_public_notice_and_help_pages_promise_no_sms(no_sms, client, reviewer):
    build_application(Status.IN_NOTICE, reviewer=reviewer)
    for url in ("/notice/", "/pages/guide-faq/", "/pages/guide-employer-admin/", "/pages/guide-operation/"):
        assert "短信" not in _page(client, url), url


def test_the_migration_rewrites_only_unedited_seed_sentences(db):
    migration = importlib.import_module("reference.migrations.0002_content_pages_promise_no_sms")
    faq = ContentPage.objects.get(slug="guide-faq")
    faq.body = faq.body.replace("状态变化时系统也会以邮件通知您。", "状态变化时系统也会发送短信和邮件。")
    faq.save()
    guide = ContentPage.objects.get(slug="guide-employer-admin")
    guide.body = "<p>本市自定：审核结果以短信和邮件通知。</p>"  # edited by the city administrator
    guide.save()

    from django.apps import apps

    migration.replace(apps, None)
    faq.refresh_from_db()
    guide.refresh_from_db()
    assert "状态变化时系统也会以邮件通知您。" in faq.body and "短信" not in faq.body
    assert guide.body == "<p>本市自定：审核结果以短信和邮件通知。</p>"
