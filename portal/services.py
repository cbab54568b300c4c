import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext

from accounts.models import UserSubsystem
from accounts.selectors import demo_accounts_exist
from core.cache import cache_status
from core.checks import CONSOLE_EMAIL_BACKENDS, sms_disabled
from core.errors import Refused
from core.outbox import outbox_backlog
from hukou_card.signing import uses_development_ca
from reference.models import Subsystem

logger = logging.getLogger(__name__)


@transaction.atomic
def subsystem_add(*, user, subsystem: Subsystem) -> UserSubsystem:
    """添加应用: link a subsystem to the user's 门户. Only what this installation provides can be added."""
    if not subsystem.is_provided:
        raise ValidationError(
            gettext("“%(name)s”本安装未提供，无法添加。") % {"name": gettext(subsystem.name)},
            code="not_provided",
        )
    link, _created = UserSubsystem.objects.get_or_create(user=user, subsystem=subsystem)
    return link


# --- /healthz ------------------------------------------------------------------------------------
# Two kinds of answer. A dependency that is down ("error: …") makes the portal unhealthy (503: the
# load balancer takes the instance out). A stand-in or a switched-off service in production keeps
# it serving but "degraded" (200), with the reasons, so monitoring sees what the portal is not
# doing. Each is one function in a list; a new dependency or stand-in is one more entry.


@dataclass(frozen=True)
class HealthReport:
    checks: dict[str, str]  # dependency -> "ok", "eager" (development: no broker) or "error: …"
    reasons: list[str] = field(default_factory=list)  # why production is degraded
    cache: str = "ok"  # not needed to serve: without it the node is slower, not down

    @property
    def healthy(self) -> bool:
        return all(value in ("ok", "eager") for value in self.checks.values())

    @property
    def status(self) -> str:
        if not self.healthy:
            return "error"
        return "degraded" if self.reasons else "ok"

    def as_json(self) -> dict:
        return {"status": self.status, **self.checks, "cache": self.cache, "reasons": self.reasons}


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception as exc:  # noqa: BLE001 - a health check reports, it does not raise
        return f"error: {exc.__class__.__name__}"


def broker_status() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    from celery import current_app as app  # the project's app (config.celery), without importing config

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception as exc:  # noqa: BLE001
        return f"error: {exc.__class__.__name__}"


def _in_process_tasks() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER or not settings.CELERY_BROKER_URL:
        return "tasks run in-process: no broker (CELERY_BROKER_URL)"
    return ""


def _development_ca() -> str:
    if uses_development_ca():
        return "cards are signed by the development CA: 测试卡，无法律效力 (CARD_SIGNING_KEY)"
    return ""


# The demo-account lookup cannot use an index (a suffix match on e-mail), and /healthz is polled every
# few seconds by every probe: the answer is kept per process for a few minutes.
_DEMO_CHECK_SECONDS = 300
_demo_check: tuple[float, bool] | None = None


def _demo_data() -> str:
    global _demo_check
    if settings.PORTAL_DEMO:
        return "demo data: PORTAL_DEMO=1"
    now = time.monotonic()
    if _demo_check is None or now - _demo_check[0] > _DEMO_CHECK_SECONDS:
        try:
            _demo_check = (now, demo_accounts_exist())
        except Exception:  # noqa: BLE001 - the database check above reports the database
            return ""
    return "demo data: demo accounts (one published password) exist" if _demo_check[1] else ""


def _sms_disabled() -> str:
    return "SMS disabled: SMS_BACKEND=none" if sms_disabled() else ""


def _console_email() -> str:
    if settings.EMAIL_BACKEND in CONSOLE_EMAIL_BACKENDS:
        return "e-mail is printed to the console: EMAIL_BACKEND"
    return ""


# Stand-ins and disabled backends that production reports as "degraded" (DESIGN.md §7). Start-up
# refuses most of them (core/checks.py); what is left running is said here.
DEGRADATIONS: list[Callable[[], str]] = [
    _in_process_tasks,
    _development_ca,
    _demo_data,
    _sms_disabled,
    _console_email,
]


# Jobs normally leave on commit; the relay retries every minute. Older pending rows than this mean
# the broker or the relay is down: decisions are kept, their cards and messages wait.
OUTBOX_STALE_SECONDS = 5 * 60


def _outbox_backlog() -> str:
    try:
        count, oldest = outbox_backlog()
    except Exception:  # noqa: BLE001 - the database check reports the database
        return ""
    if count and oldest > OUTBOX_STALE_SECONDS:
        return f"outbox: {count} jobs waiting for the broker, the oldest for {int(oldest // 60)} min"
    return ""


def health_report() -> HealthReport:
    checks = {"database": database_status(), "broker": broker_status()}
    reasons = [reason for check in DEGRADATIONS if (reason := check())] if settings.PRODUCTION else []
    # The cache is not needed to serve (core.redis_cache answers misses): without it the node stays
    # in the load balancer and says why it is degraded, in every mode.
    cache = cache_status()
    if cache != "ok":
        reasons.insert(0, "cache unavailable")
    if reason := _outbox_backlog():
        reasons.insert(0, reason)
    return HealthReport(checks=checks, reasons=reasons, cache=cache)


# --- Closing the account (我的个人信息) ---------------------------------------------------------


def account_close_blockers(*, user) -> list[str]:
    """Why the account cannot be closed now: anything still open."""
    from accounts.models import EmployerAdmin
    from applications.models import Application
    from applications.policy import OPEN_STATUSES
    from hukou_card.models import HukouCard

    reasons = []
    if Application.objects.filter(applicant=user, status__in=OPEN_STATUSES).exists():
        reasons.append(gettext("您有尚未办结的申报（草稿、审核中、退回补正或公示中），请先办结或撤回。"))
    if HukouCard.objects.filter(application__applicant=user, status=HukouCard.Status.VALID).exists():
        reasons.append(gettext("您的入户信息卡仍在有效期内，请先办理入户或放弃入户。"))
    if EmployerAdmin.objects.filter(user=user, status__in=["pending", "approved"]).exists():
        reasons.append(gettext("您有单位系统管理员权限或其申请，请先取消。"))
    return reasons


class AccountNotClosable(Refused):
    pass


@transaction.atomic
def account_close(*, user, ip_address: str | None = None) -> None:
    """Close the account: the 证件库 images no application uses are deleted (with their record),
    the account's own data anonymised; submitted applications, their scans and cards stay under
    the retention rules, as the bureau's records of its decisions."""
    from accounts.models import User, UserSubsystem
    from applications.models import LibraryDocument
    from audit.actions import AuditAction
    from audit.models import RetentionDeletion
    from audit.services import audit_record
    from portal.models import PersonalDataExport

    locked = User.objects.select_for_update(of=("self",)).get(pk=user.pk)
    blockers = account_close_blockers(user=locked)
    if blockers:
        raise AccountNotClosable(blockers)
    files = []
    for doc in LibraryDocument.objects.filter(owner=locked, attachments__isnull=True):
        RetentionDeletion.objects.create(
            rule="account_closed", kind="library_document", label=doc.get_kind_display(), owner_id=locked.pk,
            stored_name=doc.file.name, size=doc.size, sha256=doc.sha256,
        )  # fmt: skip
        files.append(doc.file)
        doc.delete()
    for export in PersonalDataExport.objects.filter(user=locked).exclude(file=""):
        files.append(export.file)
    PersonalDataExport.objects.filter(user=locked).update(status=PersonalDataExport.Status.EXPIRED, file="")
    UserSubsystem.objects.filter(user=locked).delete()
    audit_record(action=AuditAction.ACCOUNT_CLOSE, subject_user=locked, by=locked, ip_address=ip_address)
    locked.username = f"closed{locked.pk}"[:20]
    for name in ("full_name", "id_number", "email", "mobile", "landline", "workplace", "personal_note"):
        setattr(locked, name, "")
    locked.full_name = "已注销用户"
    locked.is_active = False
    locked.set_unusable_password()
    locked.save()

    def delete_files():
        for file in files:
            try:
                file.storage.delete(file.name)
            except Exception:
                logger.exception("account close: %s could not be deleted", file.name)

    transaction.on_commit(delete_files)
