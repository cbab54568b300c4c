"""SMS: the message kinds (each a gateway template with a fixed list of parameters) and the backends.

Chinese gateways send only templates that their operator approved beforehand, under a registered
sign name (签名): a message is a template ID and the values of its variables, never free text. So a
service names a kind and its parameters; the text the applicant reads is the template registered
with the gateway, and the e-mail beside it carries the details (reasons, the list of corrections).

Backends: `TencentCloudSmsBackend` (production), `NoSmsBackend` (`SMS_BACKEND=none`: production
without SMS, and then no screen promises SMS: `sms_enabled()`), `ConsoleSmsBackend` (development:
the log) and `LocmemSmsBackend` (tests: an outbox list).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SmsKind:
    code: str  # what a queued task carries
    label: str
    setting: str  # the setting (and environment variable) holding the gateway's template ID
    params: tuple[str, ...]  # the template's variables {1}, {2}, … in this order
    sample: str  # the template text to register with the gateway (documentation and the console)

    def render(self, params: tuple[str, ...] | list[str]) -> str:
        text = self.sample
        for number, value in enumerate(params, start=1):
            text = text.replace(f"{{{number}}}", value)
        return text


# The one registry of message kinds. Adding a kind means registering its template with the gateway
# and setting its template ID; the parameters are what the template's variables receive, in order.
# Dates are written 2026-12-01: gateways limit a variable's length and reject most punctuation.
ACCEPTED = SmsKind(
    "accepted", "受理", "SMS_TEMPLATE_ACCEPTED", ("申报编号", "审核决定期限"),
    "您的人才引进入户申报{1}已受理，将于{2}前作出审核决定。",
)  # fmt: skip
CORRECTION = SmsKind(
    "correction", "退回补正", "SMS_TEMPLATE_CORRECTION", ("申报编号",),
    "您的人才引进入户申报{1}需要补正，请登录人才引进申办系统查看补正事项并重新提交。",
)  # fmt: skip
REJECTED = SmsKind(
    "rejected", "审核不通过", "SMS_TEMPLATE_REJECTED", ("申报编号",),
    "您的人才引进入户申报{1}审核不通过，理由请登录人才引进申办系统查看。",
)  # fmt: skip
NOTICE = SmsKind(
    "notice", "进入公示", "SMS_TEMPLATE_NOTICE", ("申报编号", "公示开始日期", "公示结束日期"),
    "您的人才引进入户申报{1}已审核通过，进入网上公示，公示期{2}至{3}。",
)  # fmt: skip
CARD_ISSUED = SmsKind(
    "card_issued", "入户卡已签发", "SMS_TEMPLATE_CARD_ISSUED", ("入户卡卡号", "有效期至"),
    "您的入户信息卡{1}已签发，请于{2}前到入户地公安部门办理入户手续，入户卡可登录系统下载。",
)  # fmt: skip
CARD_EXPIRING = SmsKind(
    "card_expiring", "入户卡即将过期", "SMS_TEMPLATE_CARD_EXPIRING", ("入户卡卡号", "有效期至"),
    "您的入户信息卡{1}将于{2}到期，逾期未办理入户手续的，入户卡注销。",
)  # fmt: skip

KINDS: dict[str, SmsKind] = {k.code: k for k in (ACCEPTED, CORRECTION, REJECTED, NOTICE, CARD_ISSUED, CARD_EXPIRING)}


@dataclass(frozen=True)
class Sms:
    """One SMS a service asks for: its kind and the parameters, checked against the kind here,
    where the service calls, not later in a worker."""

    kind: SmsKind
    params: tuple[str, ...]

    def __post_init__(self):
        if len(self.params) != len(self.kind.params):
            raise ValueError(f"SMS {self.kind.code} takes {self.kind.params}, got {self.params!r}")
        if not all(isinstance(p, str) and p for p in self.params):
            raise ValueError(f"SMS {self.kind.code}: every parameter is a non-empty string, got {self.params!r}")


class SmsTemporaryError(Exception):
    """The gateway could not be reached or failed on its side: sending again later may work."""


class SmsRejected(Exception):
    """The gateway refused the message (wrong template, sign, number, quota): retrying will not help."""


class BaseSmsBackend:
    enabled = True

    def send(self, *, mobile: str, kind: SmsKind, params: list[str]) -> None:  # pragma: no cover
        raise NotImplementedError


class NoSmsBackend(BaseSmsBackend):
    """`SMS_BACKEND=none`: the portal runs without SMS, by the operator's explicit choice."""

    enabled = False

    def send(self, *, mobile: str, kind: SmsKind, params: list[str]) -> None:
        return None


class ConsoleSmsBackend(BaseSmsBackend):
    """Development: the SMS is written to the log instead of a gateway."""

    def send(self, *, mobile: str, kind: SmsKind, params: list[str]) -> None:
        logger.info("SMS (%s) to %s: %s", kind.code, mobile, kind.render(params))


class LocmemSmsBackend(BaseSmsBackend):
    """Tests: messages collect in `outbox`, like django.core.mail.outbox."""

    outbox: list[dict] = []

    def send(self, *, mobile: str, kind: SmsKind, params: list[str]) -> None:
        LocmemSmsBackend.outbox.append({"mobile": mobile, "kind": kind.code, "params": list(params)})


# Tencent Cloud error codes worth another try: its own faults and rate limits. Anything else
# (AuthFailure, a template or sign not approved, an invalid number, a daily limit) is permanent.
_TENCENT_TEMPORARY = ("InternalError", "RequestLimitExceeded", "ClientNetworkError", "ServerNetworkError")
# Per-number statuses in SendStatusSet that pass with time: the 30-second and 1-hour frequency limits.
_TENCENT_TEMPORARY_STATUS = ("LimitExceeded.PhoneNumberThirtySecondLimit", "LimitExceeded.PhoneNumberOneHourLimit")


class TencentCloudSmsBackend(BaseSmsBackend):
    """Tencent Cloud SMS (短信), API SendSms version 2021-01-11, through the official SDK.

    Configured by TENCENTCLOUD_SECRET_ID / _KEY, SMS_SDK_APP_ID, SMS_SIGN_NAME, SMS_REGION, one
    SMS_TEMPLATE_<KIND> per message kind, and SMS_ENDPOINT (default: the SDK's sms.tencentcloudapi.com;
    `http://host:port` points it elsewhere, e.g. at a test's local server).
    """

    timeout_seconds = 10

    def __init__(self):
        missing = [name for name in self.required_settings() if not getattr(settings, name, "")]
        if missing:
            raise ImproperlyConfigured("腾讯云短信未配置：" + "、".join(missing))
        from tencentcloud.common import credential
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.sms.v20210111 import sms_client

        http = HttpProfile(reqTimeout=self.timeout_seconds)
        endpoint = settings.SMS_ENDPOINT
        if endpoint:
            parts = urlsplit(endpoint if "://" in endpoint else f"https://{endpoint}")
            http.protocol = http.scheme = parts.scheme
            http.endpoint = parts.netloc
        cred = credential.Credential(settings.TENCENTCLOUD_SECRET_ID, settings.TENCENTCLOUD_SECRET_KEY)
        self.client = sms_client.SmsClient(cred, settings.SMS_REGION, ClientProfile(httpProfile=http))

    @staticmethod
    def required_settings() -> list[str]:
        names = ["TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY", "SMS_SDK_APP_ID", "SMS_SIGN_NAME", "SMS_REGION"]
        return names + [kind.setting for kind in KINDS.values()]

    def send(self, *, mobile: str, kind: SmsKind, params: list[str]) -> None:
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
        from tencentcloud.sms.v20210111 import models

        request = models.SendSmsRequest()
        request.SmsSdkAppId = settings.SMS_SDK_APP_ID
        request.SignName = settings.SMS_SIGN_NAME
        request.TemplateId = getattr(settings, kind.setting)
        request.TemplateParamSet = list(params)
        request.PhoneNumberSet = [mobile if mobile.startswith("+") else f"+86{mobile}"]
        try:
            response = self.client.SendSms(request)
        except TencentCloudSDKException as error:
            code = error.get_code() or ""
            detail = f"{code}: {error.get_message()} (RequestId {error.get_request_id()})"
            if code.startswith(_TENCENT_TEMPORARY):
                raise SmsTemporaryError(detail) from error
            raise SmsRejected(detail) from error
        statuses = response.SendStatusSet or []
        if not statuses:
            raise SmsTemporaryError(f"SendSms answered no SendStatusSet (RequestId {response.RequestId})")
        status = statuses[0]
        if status.Code != "Ok":
            detail = f"{status.Code}: {status.Message} (RequestId {response.RequestId})"
            if status.Code in _TENCENT_TEMPORARY_STATUS:
                raise SmsTemporaryError(detail)
            raise SmsRejected(detail)
        logger.info("SMS %s sent, SerialNo %s, RequestId %s", kind.code, status.SerialNo, response.RequestId)


def sms_backend() -> BaseSmsBackend:
    return import_string(settings.SMS_BACKEND)()


def sms_enabled() -> bool:
    """False when the operator chose `SMS_BACKEND=none`: then no screen may promise an SMS."""
    try:
        backend = import_string(settings.SMS_BACKEND)
    except ImportError:  # the system check (core.E101) stops start-up; a page promises nothing
        return False
    return bool(getattr(backend, "enabled", True))


def check_sms_settings(app_configs=None, **kwargs):
    """System check: the Tencent backend has every setting it needs, so a missing template ID stops
    start-up (check --deploy, migrate, the worker) instead of failing the first SMS of that kind."""
    from django.core.checks import Error

    try:
        backend = import_string(settings.SMS_BACKEND)
    except ImportError as error:
        return [Error(f"SMS_BACKEND={settings.SMS_BACKEND!r} cannot be imported: {error}", id="core.E101")]
    if not (isinstance(backend, type) and issubclass(backend, TencentCloudSmsBackend)):
        return []
    missing = [name for name in backend.required_settings() if not getattr(settings, name, "")]
    if not missing:
        return []
    return [
        Error(
            "SMS_BACKEND is Tencent Cloud SMS but these are not set: " + ", ".join(missing),
            hint="Set them in the environment (docs/operations.md, SMS (Tencent Cloud)), or SMS_BACKEND=none.",
            id="core.E102",
        )
    ]
