"""Applications in any state, made through the real services (the way demo/scenarios.py makes them).

A factory can write `status="published"` on a row; production cannot. Each state built here has
the history it would have in production: the audit rows of every step, the accept and decision
due dates, the notice batch and its entry, the quota reservation of a 五、其他 application, the
cards issued once the publication commits, and the applicant's notifications.

    build_application(Status.IN_NOTICE, subcategory="5.1", district="440111")

Only the calendar is helped: an application that must be published has its review and its
notice happen in the past (the clock is moved back while they run), so its notice has really
ended when the system closes it.
"""

import contextlib
import datetime
import functools
from unittest import mock

from django.core import mail
from django.test import TestCase
from django.utils import timezone

from accounts.models import Employer, Role, User
from applications import services as applicant_services
from applications.choices import Status
from applications.models import Application
from core.notifications import LocmemSmsBackend
from demo.scenarios import fill_draft
from quota.models import Quota
from quota.services import needs_quota
from reference.models import District
from review import services as review_services
from tests import factories

# The path to each state: the services a person (or the beat task) calls, in order.
_STEPS: dict[str, tuple[str, ...]] = {
    Status.DRAFT: (),
    Status.SUBMITTED: ("submit",),
    Status.RETURNED: ("submit", "return"),
    Status.WITHDRAWN: ("submit", "withdraw"),
    Status.UNDER_REVIEW: ("submit", "accept"),
    Status.REJECTED: ("submit", "accept", "reject"),
    Status.IN_NOTICE: ("submit", "accept", "approve"),
    Status.PUBLISHED: ("submit", "accept", "approve"),  # then the notice closes, in the present
}
RETURN_ITEMS = ["身份证扫描件不清晰，请重新上传。"]
REJECT_REASON = "社保缴费月数不符合申报条件。"
# How long ago a published application was submitted: five working days of acceptance, fifteen of
# review and five of notice fit in it with room for the longest public holiday.
PUBLISHED_HISTORY_DAYS = 40


@functools.cache
def _scan_bytes() -> bytes:
    # One small real JPEG for every attachment: the upload check reads it, the 证件库 keeps it per kind.
    return factories.jpeg_bytes(320, 240, quality=70)


def _scan(title: str, holder: str) -> bytes:
    return _scan_bytes()


@contextlib.contextmanager
def _clock_on(day: datetime.date | None):
    """Run the services on `day`: timezone.localdate() answers it and timezone.now() moves by as
    many days, so due dates, notice periods and audit times agree with each other."""
    if day is None:
        yield
        return
    outer_now, outer_localdate = timezone.now, timezone.localdate
    shift = day - outer_localdate(outer_now())

    def localdate(value=None, timezone=None):
        return day if value is None else outer_localdate(value, timezone)

    with (
        mock.patch("django.utils.timezone.now", lambda: outer_now() + shift),
        mock.patch("django.utils.timezone.localdate", localdate),
    ):
        yield


def _district(value: District | str | None) -> District:
    if isinstance(value, District):
        return value
    return factories.district(value or "440106")  # 天河区


def _reviewer_of(district: District) -> User:
    existing = User.objects.filter(role=Role.REVIEWER, district=district).order_by("pk").first()
    return existing or factories.ReviewerFactory(district=district)


def _ensure_quota(app: Application) -> None:
    """A 五、其他 application takes a 总量控制 place when approved: give its district a year's quota
    if the test has not set one up (a test about the ledger itself sets its own)."""
    if needs_quota(app) and not Quota.objects.filter(year=app.year, district_id=app.district_id).exists():
        factories.QuotaFactory(year=app.year, district_id=app.district_id, total_places=10)


def build_application(
    state: str = Status.SUBMITTED,
    *,
    applicant: User | None = None,
    full_name: str | None = None,
    subcategory: str = "2.2",
    district: District | str | None = None,
    employer: Employer | None = None,
    family: list[tuple] = (),
    reviewer: User | None = None,
    return_items: list[str] = RETURN_ITEMS,
    reject_reason: str = REJECT_REASON,
    on: datetime.date | None = None,
    objection: bool = False,
    issue_cards: bool = True,
    **personal,
) -> Application:
    """An application in `state`, walked there through the services.

    `family` is (full name, 居民身份证 number, relation[, details]) per 随迁人 (demo.scenarios.fill_draft); `personal` overrides answers of
    the 个人信息 step (demo.scenarios gives the defaults: 硕士, married, 24 months of 社保).
    `reviewer` decides (default: a reviewer of the district); the notice is closed by the system.
    `on` is the day the applicant fills in, submits and the reviewer decides (default today; for a
    published application PUBLISHED_HISTORY_DAYS ago, and its notice is closed today).
    `objection=True` has someone object during the notice (an application in notice, the objection
    left open: it is `app.notice_entry.objections.get()`).
    `issue_cards=False` leaves a published application as it is between the publication's commit and
    the worker's run: the card task was queued, no card exists yet.
    The history's e-mails and SMS are sent, as production sends them, then taken out of the test
    outboxes: a test reads there what its own steps send.
    """
    steps = _STEPS[state]
    if objection and state != Status.IN_NOTICE:
        raise ValueError("an open objection exists only on an application in notice")
    district = _district(district)
    if applicant is None:
        applicant = factories.UserFactory(**({"full_name": full_name} if full_name else {}))
    employer = employer or factories.EmployerFactory(district=district)
    reviewer = reviewer or _reviewer_of(district)
    publish = state == Status.PUBLISHED
    mails_before, sms_before = len(mail.outbox), len(LocmemSmsBackend.outbox)
    card_task = contextlib.nullcontext()
    if not issue_cards:
        # The publication's outbox job is handed over (the row is marked sent) to a broker that
        # never delivers it.
        card_task = mock.patch(
            "review.services.issue_cards_for_application.apply_async", lambda *args, **options: None
        )
    # The tasks queued on commit (notifications, card issuance) run as the step commits would run them.
    with card_task, TestCase.captureOnCommitCallbacks(execute=True):
        if publish and on is None:
            on = timezone.localdate() - datetime.timedelta(days=PUBLISHED_HISTORY_DAYS)
        with _clock_on(on):
            app = fill_draft(
                applicant, subcategory=subcategory, employer=employer, district=district, family=family,
                scan=_scan, **personal,
            )  # fmt: skip
            for step in steps:
                _take(step, app, reviewer=reviewer, return_items=return_items, reject_reason=reject_reason)
            if objection:
                review_services.objection_raise(
                    entry_id=app.notice_entry.pk, contact_name="王五", contact_phone="13900139000",
                    description="申请人并未在该单位实际工作。",
                )  # fmt: skip
        if publish:
            # The beat task closes the batch after its last day, in the present (by=None: the system).
            review_services.notice_close(notice_id=app.notice_entry.notice_id)
    del mail.outbox[mails_before:], LocmemSmsBackend.outbox[sms_before:]
    # Fresh from the database, with the rows a factory-made instance carries already loaded.
    return Application.objects.select_related(
        "applicant", "category", "subcategory", "district", "employer"
    ).get(pk=app.pk)


def _take(
    step: str, app: Application, *, reviewer: User, return_items: list[str], reject_reason: str
) -> None:
    if step == "submit":
        applicant_services.application_submit(application_id=app.pk, by=app.applicant)
    elif step == "withdraw":
        applicant_services.application_withdraw(application_id=app.pk, by=app.applicant)
    elif step == "accept":
        review_services.application_accept(application_id=app.pk, by=reviewer)
    elif step == "return":
        review_services.application_return_for_correction(
            application_id=app.pk, by=reviewer, items=return_items
        )
    elif step == "reject":
        review_services.application_reject(application_id=app.pk, by=reviewer, reason=reject_reason)
    elif step == "approve":
        _ensure_quota(app)
        review_services.application_approve(application_id=app.pk, by=reviewer)
    else:  # pragma: no cover - _STEPS names only the steps above
        raise ValueError(step)


def give_access_reason(client, application, reason: str = "申请人来电咨询，核对办理情况") -> None:
    """Give the console the reason it asks before showing an application outside an open task
    (review.access.console_view_purpose); the session remembers it for that application."""
    from django.urls import reverse

    response = client.post(reverse("review:detail", args=[application.public_id]), {"reason": reason})
    assert response.status_code == 302, response.content.decode()[:500]
