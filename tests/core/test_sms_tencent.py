"""Tencent Cloud SMS through the official SDK, against a local HTTP endpoint this test starts.

The endpoint is a real HTTP server on a free port that records what the SDK sends and answers what
Tencent's API answers ({"Response": {"SendStatusSet": [...]}} or {"Response": {"Error": {...}}}), or
an HTTP 500. The tasks run eagerly (test settings): a retry runs at once, no clock is waited on.
"""

import contextlib
import logging
import os
import subprocess
import sys
from unittest import mock

import pytest
from django.core import checks, mail
from django.test import TestCase

from applications.choices import Status
from config.celery import app as celery_app
from core import notifications, sms
from review import services as review_services
from tests.builders import build_application
from tests.core.conftest import SECRET_ID, TEMPLATES, error_answer, sent_answer


@contextlib.contextmanager
def _eager_retries():
    """Celery runs an eager task's retries in-process (Task.apply) only when it does not propagate
    the task's errors; the test settings propagate them, so these tests turn that off."""
    propagates = celery_app.conf.task_eager_propagates
    celery_app.conf.task_eager_propagates = False
    try:
        yield
    finally:
        celery_app.conf.task_eager_propagates = propagates


def _accept(app, reviewer):
    with TestCase.captureOnCommitCallbacks(execute=True):
        review_services.application_accept(application_id=app.pk, by=reviewer)
    app.refresh_from_db()
    return app


def test_sendsms_request_carries_sign_template_parameters_and_the_contact_mobile(db, gateway, reviewer):
    app = build_application(Status.SUBMITTED, reviewer=reviewer, contact_mobile="13912345678")
    assert app.applicant.mobile != "13912345678"
    app = _accept(app, reviewer)

    assert len(gateway.requests) == 1
    request = gateway.requests[0]
    assert request["headers"]["X-TC-Action"] == "SendSms"
    assert request["headers"]["X-TC-Version"] == "2021-01-11"
    assert request["headers"]["X-TC-Region"] == "ap-guangzhou"
    assert request["headers"]["Authorization"].startswith(f"TC3-HMAC-SHA256 Credential={SECRET_ID}/")
    assert request["body"] == {
        "SmsSdkAppId": "1400000001",
        "SignName": "广州人社",
        "TemplateId": "1000001",
        "TemplateParamSet": [app.number, app.decision_due_on.isoformat()],
        "PhoneNumberSet": ["+8613912345678"],
    }
    assert len(mail.outbox) == 1 and mail.outbox[0].subject.endswith("申报已受理")


def test_without_a_contact_mobile_the_sms_goes_to_the_account_mobile(db, gateway, reviewer):
    app = build_application(Status.UNDER_REVIEW, reviewer=reviewer, contact_mobile="")
    app.applicant.mobile = "13700001111"
    app.applicant.save(update_fields=["mobile"])
    gateway.requests.clear()  # the history's SMS
    with TestCase.captureOnCommitCallbacks(execute=True):
        review_services.application_return_for_correction(application_id=app.pk, by=reviewer, items=["请补充学位证书"])
    (request,) = gateway.requests
    assert request["body"]["PhoneNumberSet"] == ["+8613700001111"]
    assert request["body"]["TemplateId"] == "1000002"
    # Parameters only: the list of corrections goes by e-mail, not into the SMS.
    assert request["body"]["TemplateParamSet"] == [app.number]
    assert "请补充学位证书" in mail.outbox[0].body


@pytest.mark.parametrize(
    "failure",
    [
        pytest.param((500, None), id="http-500"),
        pytest.param((200, error_answer("InternalError.Timeout", "请求下发短信超时")), id="internal-error"),
        pytest.param((200, error_answer("RequestLimitExceeded", "请求的次数超过了频率限制")), id="rate-limit"),
    ],
)
def test_a_gateway_fault_retries_the_sms_only_and_the_email_goes_once(db, gateway, reviewer, failure):
    app = build_application(Status.SUBMITTED, reviewer=reviewer)
    gateway.answers = [failure, failure]
    gateway.requests.clear()  # the history's SMS
    with _eager_retries():
        _accept(app, reviewer)
    assert len(gateway.requests) == 3  # two faults, then sent
    assert [r["body"] for r in gateway.requests] == [gateway.requests[0]["body"]] * 3
    assert len(mail.outbox) == 1


def test_a_gateway_refusal_is_logged_and_not_retried(db, gateway, reviewer, caplog):
    app = build_application(Status.SUBMITTED, reviewer=reviewer)
    gateway.answers = [(200, error_answer("FailedOperation.TemplateIncorrectOrUnapproved", "模板未审批或内容不匹配"))]
    with caplog.at_level(logging.ERROR, logger="core.notifications"):
        _accept(app, reviewer)
    assert len(gateway.requests) == 1
    assert len(mail.outbox) == 1
    (record,) = [r for r in caplog.records if r.name == "core.notifications"]
    assert "FailedOperation.TemplateIncorrectOrUnapproved" in record.getMessage()
    assert "138****8000" in record.getMessage() and "13800138000" not in record.getMessage()


def test_a_refused_number_in_the_send_status_is_not_retried(db, gateway, reviewer, caplog):
    app = build_application(Status.SUBMITTED, reviewer=reviewer)
    refused = sent_answer("+8613800138000")
    refused["Response"]["SendStatusSet"][0].update(Code="InvalidParameterValue.IncorrectPhoneNumber", Message="手机号格式错误")
    gateway.answers = [(200, refused)]
    with caplog.at_level(logging.ERROR, logger="core.notifications"):
        _accept(app, reviewer)
    assert len(gateway.requests) == 1
    assert "InvalidParameterValue.IncorrectPhoneNumber" in caplog.text


def test_an_email_fault_retries_the_email_only_and_the_sms_goes_once(db, gateway, reviewer):
    app = build_application(Status.SUBMITTED, reviewer=reviewer)
    real_send_mail = notifications.send_mail
    calls = []

    def flaky_send_mail(*args, **kwargs):
        calls.append(args)
        if len(calls) == 1:
            raise ConnectionRefusedError("SMTP server down")
        return real_send_mail(*args, **kwargs)

    gateway.requests.clear()  # the history's SMS
    with mock.patch.object(notifications, "send_mail", flaky_send_mail), _eager_retries():
        _accept(app, reviewer)
    assert len(calls) == 2 and len(mail.outbox) == 1
    assert len(gateway.requests) == 1


def test_card_issued_sms_names_the_card_and_its_deadline(db, gateway, reviewer):
    app = build_application(Status.PUBLISHED, reviewer=reviewer, contact_mobile="13912345678")
    # The builder's history is taken out of the outboxes, not out of the gateway's log.
    card = app.hukou_cards.get(main_card__isnull=True)
    card_request = [r for r in gateway.requests if r["body"]["TemplateId"] == "1000005"]
    assert [r["body"]["TemplateParamSet"] for r in card_request] == [[card.number, card.valid_until.isoformat()]]
    assert card_request[0]["body"]["PhoneNumberSet"] == ["+8613912345678"]
    kinds = [r["body"]["TemplateId"] for r in gateway.requests]
    assert kinds == ["1000001", "1000004", "1000005"]  # 受理, 进入公示, 入户卡已签发


def test_with_sms_none_nothing_is_queued_and_the_email_still_goes(db, reviewer, settings):
    settings.SMS_BACKEND = "core.sms.NoSmsBackend"
    assert sms.sms_enabled() is False
    app = build_application(Status.SUBMITTED, reviewer=reviewer)
    with mock.patch.object(notifications.send_sms, "delay") as queued:
        _accept(app, reviewer)
    assert queued.call_count == 0
    assert len(mail.outbox) == 1


def test_sms_none_setting_maps_to_the_no_sms_backend():
    # The settings module as a process reads it from the environment (a fresh interpreter: the
    # test run's settings are already loaded).
    env = {**os.environ, "SMS_BACKEND": "none", "DJANGO_DEBUG": "1"}
    code = "import config.settings as s; print(s.SMS_BACKEND)"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "core.sms.NoSmsBackend"


def test_a_tencent_backend_without_its_templates_stops_start_up(settings):
    settings.SMS_BACKEND = "core.sms.TencentCloudSmsBackend"
    settings.TENCENTCLOUD_SECRET_ID = SECRET_ID
    settings.TENCENTCLOUD_SECRET_KEY = "k"
    settings.SMS_SDK_APP_ID = "1400000001"
    settings.SMS_SIGN_NAME = "广州人社"
    for name, template_id in TEMPLATES.items():
        setattr(settings, name, template_id)
    settings.SMS_TEMPLATE_CARD_EXPIRING = ""
    assert sms.check_sms_settings in checks.registry.registry.get_checks()
    (error,) = sms.check_sms_settings()
    assert error.id == "core.E102" and error.level == checks.ERROR
    assert "SMS_TEMPLATE_CARD_EXPIRING" in error.msg and "SMS_TEMPLATE_ACCEPTED" not in error.msg
    settings.SMS_TEMPLATE_CARD_EXPIRING = "1000006"
    assert sms.check_sms_settings() == []
    settings.SMS_BACKEND = "core.sms.NoSmsBackend"
    settings.SMS_SIGN_NAME = ""
    assert sms.check_sms_settings() == []


def test_every_kind_has_its_parameters_checked_where_the_service_calls():
    with pytest.raises(ValueError):
        sms.Sms(sms.NOTICE, ("GZRC202500000001", "2025-10-01"))  # the end date is missing
    with pytest.raises(ValueError):
        sms.Sms(sms.ACCEPTED, ("GZRC202500000001", ""))
    assert {k.setting for k in sms.KINDS.values()} == set(TEMPLATES)
    assert {k.label for k in sms.KINDS.values()} == {"受理", "退回补正", "审核不通过", "进入公示", "入户卡已签发", "入户卡即将过期"}


def test_a_mistyped_backend_stops_start_up_and_promises_nothing(settings):
    settings.SMS_BACKEND = "core.sms.TencentSmsBackend"  # no such class
    (error,) = sms.check_sms_settings()
    assert error.id == "core.E101" and "core.sms.TencentSmsBackend" in error.msg
    assert sms.sms_enabled() is False


def test_a_message_queued_under_the_old_task_name_still_sends_its_email_alone(db):
    from core.sms import LocmemSmsBackend
    from tests.factories import UserFactory

    user = UserFactory()
    celery_app.tasks["portal.tasks.send_notification"].delay(user.pk, "申报已受理", "正文")
    assert [m.to for m in mail.outbox] == [[user.email]]
    assert LocmemSmsBackend.outbox == []
