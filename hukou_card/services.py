"""Card writes: issue, render and sign, cancel (放弃入户), record the hukou move, expire.

Issuance is idempotent and safe against a killed worker: the card rows are created in one short
transaction under the application's row lock (a second run finds them and creates nothing), then
each card's PDF is rendered in its own transaction under the card's row lock, to a file name fixed
by the card (models.card_pdf_path), so a re-run after a crash overwrites its own half-written file
and every card ends with exactly one PDF.
"""

from __future__ import annotations

import datetime
import hashlib
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from accounts.access import has_role
from accounts.models import Role
from applications.choices import Status
from applications.models import AccompanyingPerson, Application
from applications.workflow import audit
from audit.actions import AuditAction
from core import sms
from core.errors import Refused
from core.notifications import in_language_of, mail_date, notify_on_commit
from core.text import cn_date
from hukou_card import numbers, workflow
from hukou_card.models import ApprovalNumberSequence, HukouCard
from hukou_card.pdf import CardData, Companion, render_card
from hukou_card.selectors import applications_missing_cards
from hukou_card.signing import card_signer, sign_card_pdf

logger = logging.getLogger(__name__)

# The seed's message on the status page and in the notification once the cards are issued.
# Shown on the applicant's card panel and in the card e-mail, each in the reader's language:
# gettext(APPROVED_MESSAGE) where it is shown.
APPROVED_MESSAGE = gettext_noop(
    "【您申请办理的引进人才入户业务已审核通过，请您在入户信息卡有效期内至入户地的区公安部门办理入户复核手续，"
    "详情可在“广州公安”微信公众号上进行预约和办理（微信号：gzsgaj）】"
)
NOT_APPLICABLE = "无"
# The holder of a main card still unused is reminded this many days before its deadline (即将过期).
EXPIRY_REMINDER_DAYS = 7


# The sweep leaves alone an application published in the last quarter hour: its card task is most
# likely queued or running, and the sweep is for the ones that will never get there.
CARD_SWEEP_GRACE = datetime.timedelta(minutes=15)


class CardIssueRefused(Refused):
    """The application cannot get cards (not published); retrying will not help."""


class CardActionRefused(Refused):
    """A cancel or police action that is not allowed now; the message is shown as it is."""


# --- Issuance -----------------------------------------------------------------------------------


def cards_issue_for_application(*, application_id: int) -> list[HukouCard]:
    """Issue the main card and one per 随迁人 for a published application, then render and sign
    every card that has no PDF yet. Running it again creates and renders nothing new."""
    cards = _cards_create(application_id=application_id)
    # The main card last: its commit sends the applicant the notice that the cards are ready.
    for card in sorted(cards, key=lambda c: c.is_main):
        if not card.pdf:
            card_render(card_id=card.pk)
    # 主迁 sorts before 随迁 (U+4E3B < U+968F): the main card comes first.
    return list(HukouCard.objects.filter(application_id=application_id).order_by("move_type", "id"))


@transaction.atomic
def _cards_create(*, application_id: int) -> list[HukouCard]:
    application = (
        Application.objects.select_for_update(of=("self",)).select_related("district").get(pk=application_id)
    )
    existing = list(HukouCard.objects.filter(application=application))
    if existing:
        return existing + _accompanying_cards_missing(application, existing)
    if application.status != Status.PUBLISHED:
        raise CardIssueRefused(
            f"申报 {application} 当前状态为“{application.status_label}”，公布后才能核发入户信息卡。"
        )
    district = application.district
    today = timezone.localdate()
    valid_until = today + datetime.timedelta(days=settings.CARD_VALIDITY_DAYS)
    approval_number = _next_approval_number(district=district, year=today.year)
    common = {
        "application": application,
        "approval_number": approval_number,
        "issuing_bureau": district.bureau_name,
        "issued_on": today,
        "valid_until": valid_until,
    }
    main = _create_card(
        district_code=district.code,
        year=today.year,
        move_type=HukouCard.MoveType.MAIN,
        holder_name=application.full_name,
        holder_id_number=application.id_number,
        **common,
    )
    cards = [main]
    for person in application.accompanying_persons.all():
        cards.append(
            _create_card(
                district_code=district.code,
                year=today.year,
                move_type=HukouCard.MoveType.ACCOMPANYING,
                accompanying_person=person,
                main_card=main,
                holder_name=person.full_name,
                holder_id_number=person.id_number,
                relation=person.relation,
                **common,
            )
        )
    logger.info("Issued %d cards (%s) for application %s", len(cards), approval_number, application.pk)
    audit(
        action=AuditAction.CARD_ISSUE,
        application=application,
        reason=f"核发入户信息卡{len(cards)}张（审批文号{approval_number}）："
        + "、".join(c.number for c in cards),
    )
    return cards


def _accompanying_cards_missing(application: Application, existing: list[HukouCard]) -> list[HukouCard]:
    """The cards of 随迁人 that have none while the main card is valid: the rows were created
    together, so this finds nothing unless a person was added to a published application by hand;
    the sweep (cards_issue_missing) then completes the set under the same 审批文号."""
    main = next((card for card in existing if card.is_main), None)
    if main is None or main.status != HukouCard.Status.VALID:
        return []
    missing = application.accompanying_persons.filter(hukou_card__isnull=True)
    cards = [
        _create_card(
            district_code=application.district.code,
            year=main.issued_on.year,
            application=application,
            approval_number=main.approval_number,
            issuing_bureau=main.issuing_bureau,
            issued_on=main.issued_on,
            valid_until=main.valid_until,
            move_type=HukouCard.MoveType.ACCOMPANYING,
            accompanying_person=person,
            main_card=main,
            holder_name=person.full_name,
            holder_id_number=person.id_number,
            relation=person.relation,
        )
        for person in missing
    ]
    if cards:
        audit(
            action=AuditAction.CARD_ISSUE,
            application=application,
            reason=f"补发随迁人员入户信息卡{len(cards)}张（审批文号{main.approval_number}）："
            + "、".join(c.number for c in cards),
        )
    return cards


def cards_issue_missing(*, now: datetime.datetime | None = None) -> list[int]:
    """The sweep (hourly): issue the cards of every application published before the last
    CARD_SWEEP_GRACE whose cards are missing or unrendered, through the same service as the card
    task, so a second run, or the card task running at the same time, issues nothing twice. One
    application's failure is logged and leaves the others alone. Returns the applications swept."""
    published_before = (now or timezone.now()) - CARD_SWEEP_GRACE
    swept = []
    for application_id in applications_missing_cards(published_before=published_before):
        try:
            cards_issue_for_application(application_id=application_id)
        except Exception:  # noqa: BLE001 - logged; the next sweep tries again
            logger.exception("sweep: issuing the cards of application %s failed", application_id)
            continue
        swept.append(application_id)
    if swept:
        logger.warning("sweep: issued the missing cards of %d published applications: %s", len(swept), swept)
    return swept


def _next_approval_number(*, district, year: int) -> str:
    sequence, _ = ApprovalNumberSequence.objects.get_or_create(district=district, year=year)
    sequence = ApprovalNumberSequence.objects.select_for_update().get(pk=sequence.pk)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return numbers.format_approval_number(
        district_code=district.code, district_name=district.name, year=year, sequence=sequence.last_number
    )


def _create_card(*, district_code: str, year: int, **fields) -> HukouCard:
    # 10^8 random numbers per district and year: a clash is rare, and the unique index catches it.
    for _attempt in range(5):
        number = numbers.new_card_number(district_code=district_code, year=year)
        try:
            with transaction.atomic():
                return HukouCard.objects.create(
                    number=number, verification_code=numbers.new_verification_code(), **fields
                )
        except IntegrityError:
            if not HukouCard.objects.filter(number=number).exists():
                raise
    raise RuntimeError("无法生成不重复的入户卡卡号。")


# --- Rendering and signing ------------------------------------------------------------------------


@transaction.atomic
def card_render(*, card_id: int, force: bool = False) -> HukouCard:
    """Render, sign and store one card's PDF. Without `force` a card that has its PDF is left alone."""
    card = HukouCard.objects.select_for_update().get(pk=card_id)
    if card.pdf and not force:
        return card
    first_render = card.rendered_at is None
    card = (
        HukouCard.objects.select_related("application__district", "application__employer", "main_card")
        .prefetch_related("application__accompanying_persons")
        .get(pk=card.pk)
    )
    data = card_data(card)
    rendered = render_card(data)
    signed = sign_card_pdf(
        rendered.pdf,
        seal_box=rendered.seal_box,
        signer_name=card.issuing_bureau,
        reason=f"签发广州市入户人员信息卡（审批文号{card.approval_number}，卡号{card.number}）",
    )
    name = HukouCard._meta.get_field("pdf").generate_filename(card, "card.pdf")
    storage = card.pdf.storage
    if storage.exists(name):
        # Left by a run that died before its commit, or the card's previous PDF (force).
        storage.delete(name)
    card.pdf.save(name, ContentFile(signed), save=False)
    card.pdf_sha256 = hashlib.sha256(signed).hexdigest()
    card.rendered_at = timezone.now()
    card.signed_by_development_ca = data.test_card
    card.save(update_fields=["pdf", "pdf_sha256", "rendered_at", "signed_by_development_ca"])
    if first_render and card.is_main:
        application = card.application
        with in_language_of(application.applicant):
            subject = gettext("入户信息卡已核发")
            body = gettext(
                "%(approved)s 入户卡卡号：%(number)s，请于%(deadline)s前办理，"
                "可登录人才引进申办系统“人才引进入户手续办理情况”下载入户卡。"
            ) % {
                "approved": gettext(APPROVED_MESSAGE),
                "number": card.number,
                "deadline": mail_date(card.valid_until),
            }
        notify_on_commit(
            user_id=application.applicant_id,
            subject=subject,
            body=body,
            sms=sms.Sms(sms.CARD_ISSUED, (card.number, card.valid_until.isoformat())),
            mobile=application.notification_mobile,
        )
    return card


def card_data(card: HukouCard) -> CardData:
    """What is printed on `card`, as text. The 随迁 card carries the person's own identity, 民族,
    婚姻状况 and 原户口 (the applicant's where 与主迁人相同 was chosen); the talent fields belong to
    the main applicant and read 无 there."""
    application = card.application
    signer = card_signer()
    persons = list(application.accompanying_persons.all())
    companions = tuple(Companion(p.full_name, p.id_number, p.relation) for p in persons)
    verify_path = reverse(
        "hukou_card:verify", kwargs={"public_id": card.public_id, "code": card.verification_code}
    )
    common = {
        "number": card.number,
        "verification_code": card.verification_code,
        "move_type": card.move_type,
        "district": application.district.full_name,
        "category": application.card_category_label,
        "name": card.holder_name,
        "id_number": card.holder_id_number,
        "approval_number": card.approval_number,
        "intended_address": _text(application.intended_address),
        "issuing_bureau": card.issuing_bureau,
        "issued_on": cn_date(card.issued_on),
        "deadline": cn_date(card.valid_until),
        "verify_url": settings.SITE_URL + verify_path,
        "verify_hint_url": settings.SITE_URL + reverse("hukou_card:verify"),
        "seal_code": signer.seal_code,
        "test_card": signer.is_development,
        "companions": companions,
    }
    if card.is_main:
        return CardData(
            **common,
            gender=_text(application.gender),
            birth_date=cn_date(application.birth_date) if application.birth_date else NOT_APPLICABLE,
            ethnicity=_text(application.ethnicity),
            marital_status=_text(application.marital_status),
            graduate_school=_text(application.graduate_school),
            employer=_text(application.employer.name if application.employer_id else ""),
            education=_text(application.education),
            degree=_text(application.degree),
            position=_text(application.position),
            professional_title=_text(
                " ".join(
                    v for v in (application.professional_title, application.professional_title_name) if v
                )
                if application.professional_title not in ("", "无")
                else application.professional_title
            ),
            professional_qualification=_text(application.professional_qualification),
            skill_qualification=_text(
                " ".join(v for v in (application.skill_qualification, application.skill_occupation) if v)
                if application.skill_qualification not in ("", "无")
                else application.skill_qualification
            ),
            shortage_occupation=_text(application.shortage_occupation),
            original_registry_office=_text(application.original_registry_office),
            original_hukou_address=_text(application.original_hukou_address),
        )
    person = card.accompanying_person or AccompanyingPerson(
        full_name=card.holder_name, relation=card.relation
    )
    person.application = application  # 与主迁人相同 reads the loaded application, not a second query
    main = card.main_card
    return CardData(
        **common,
        gender=_text(person.gender),
        birth_date=cn_date(person.birth_date) if person.birth_date else NOT_APPLICABLE,
        # The person's own lines (issue 12, defect 7); a row from before they were asked prints 无.
        ethnicity=_text(person.ethnicity),
        marital_status=person.marital_status,
        graduate_school=NOT_APPLICABLE,
        employer=NOT_APPLICABLE,
        education=NOT_APPLICABLE,
        degree=NOT_APPLICABLE,
        position=NOT_APPLICABLE,
        professional_title=NOT_APPLICABLE,
        professional_qualification=NOT_APPLICABLE,
        skill_qualification=NOT_APPLICABLE,
        shortage_occupation=NOT_APPLICABLE,
        original_registry_office=_text(person.registry_office_shown),
        original_hukou_address=_text(person.hukou_address_shown),
        main_holder=f"{main.holder_name}（主迁人入户卡号 {main.number}，关系：{person.relation}）"
        if main
        else "",
    )


def _text(value: str) -> str:
    return (value or "").strip() or NOT_APPLICABLE


# --- The applicant gives up (放弃入户) --------------------------------------------------------------


@transaction.atomic
def card_cancel(*, card_id: int, by, reason: str = "", ip_address: str | None = None) -> HukouCard:
    """备注④: only the main applicant cancels, and the accompanying cards are cancelled with it."""
    card = HukouCard.objects.select_for_update(of=("self",)).select_related("application").get(pk=card_id)
    if card.application.applicant_id != getattr(by, "pk", None):
        raise CardActionRefused(gettext("只有主迁人本人可以申请注销入户卡。"))
    if not card.is_main:
        raise CardActionRefused(
            gettext("随迁人入户卡不能单独注销；放弃入户请由主迁人注销主迁人入户卡，随迁人入户卡将一并注销。")
        )
    today = timezone.localdate()
    status = card.effective_status(today)
    if status != HukouCard.Status.VALID:
        raise CardActionRefused(
            gettext("入户卡当前状态为“%(status)s”，不能注销。") % {"status": HukouCard.Status(status).label}
        )
    now = timezone.now()
    card.status_reason = f"主迁人申请放弃入户。{reason.strip()}".strip()[:200]
    companions = list(
        HukouCard.objects.select_for_update().filter(main_card=card, status=HukouCard.Status.VALID)
    )
    for companion in companions:
        companion.status_reason = "主迁人入户卡注销，随迁人入户卡一并注销。"
    for each in (card, *companions):
        each.cancelled_at = now
    workflow.transition(
        [card, *companions],
        action=AuditAction.CARD_CANCEL,
        actor=workflow.Actor.APPLICANT,
        application=card.application,
        by=by,
        extra_fields=("status_reason", "cancelled_at"),
        reason="注销入户卡："
        + "、".join(c.number for c in [card, *companions])
        + (f"。{reason.strip()}" if reason.strip() else ""),
        ip_address=ip_address,
    )
    return card


# --- The police desk records the move -------------------------------------------------------------


@transaction.atomic
def card_record_used(*, card_id: int, by, ip_address: str | None = None) -> HukouCard:
    """公安窗口 records that the holder's hukou move is done; the main card's completion is the
    application's 入户办结 (Application.hukou_completed_at), shown on the applicant's status page."""
    if not has_role(by, Role.POLICE):
        raise CardActionRefused("只有公安窗口工作人员可以记录入户办结。")
    card = HukouCard.objects.select_for_update(of=("self",)).select_related("main_card").get(pk=card_id)
    today = timezone.localdate()
    status = card.effective_status(today)
    if status != HukouCard.Status.VALID:
        raise CardActionRefused(f"该入户卡状态为“{HukouCard.Status(status).label}”，不能办理入户。")
    if not card.is_main and card.main_card.effective_status(today) not in (
        HukouCard.Status.VALID,
        HukouCard.Status.USED,
    ):
        raise CardActionRefused("主迁人入户卡已失效，随迁人不能单独办理入户。")
    now = timezone.now()
    card.status_reason = f"{by.display_name}于{cn_date(timezone.localdate(now))}记录入户办结。"
    card.used_at = now
    card.used_recorded_by = by
    application = Application.objects.select_for_update(of=("self",)).get(pk=card.application_id)
    if card.is_main:
        application.hukou_completed_at = now
        application.save(update_fields=["hukou_completed_at", "updated_at"])
    workflow.transition(
        [card],
        action=AuditAction.CARD_USED,
        actor=workflow.Actor.POLICE,
        application=application,
        by=by,
        reason=f"{card.move_type} {card.holder_name}（入户卡{card.number}）已办理入户。",
        ip_address=ip_address,
        extra_fields=("status_reason", "used_at", "used_recorded_by"),
    )
    return card


# --- Reminder before the deadline ---------------------------------------------------------------


def cards_remind_expiring(*, today: datetime.date | None = None) -> int:
    """Tell the holder of every main card still valid and unused, whose deadline is at most
    EXPIRY_REMINDER_DAYS away, that it is near: once per card (a day the beat missed is caught up
    the next day). The accompanying cards share the main card's deadline: one message for all."""
    today = today or timezone.localdate()
    due = HukouCard.objects.filter(
        move_type=HukouCard.MoveType.MAIN,
        status=HukouCard.Status.VALID,
        valid_until__gte=today,
        valid_until__lte=today + datetime.timedelta(days=EXPIRY_REMINDER_DAYS),
        expiry_reminded_on__isnull=True,
    ).values_list("pk", flat=True)
    return sum(_remind_card(card_id=card_id, today=today) for card_id in list(due))


@transaction.atomic
def _remind_card(*, card_id: int, today: datetime.date) -> int:
    card = HukouCard.objects.select_for_update().select_related("application__applicant").get(pk=card_id)
    if card.status != HukouCard.Status.VALID or card.expiry_reminded_on is not None:
        return 0  # used, cancelled or reminded in the meantime
    card.expiry_reminded_on = today
    card.save(update_fields=["expiry_reminded_on"])
    application = card.application
    with in_language_of(application.applicant):
        forfeit = gettext("，视同放弃本年度总量控制类入户指标") if application.is_quota_controlled else ""
        subject = gettext("入户信息卡即将到期")
        body = gettext(
            "您的入户信息卡（卡号%(number)s）将于%(deadline)s到期，请在有效期内到入户地的区公安部门"
            "办理入户手续。逾期未办理的，入户卡及随迁人入户卡一并注销%(forfeit)s。"
        ) % {"number": card.number, "deadline": mail_date(card.valid_until), "forfeit": forfeit}
    notify_on_commit(
        user_id=application.applicant_id,
        subject=subject,
        body=body,
        sms=sms.Sms(sms.CARD_EXPIRING, (card.number, card.valid_until.isoformat())),
        mobile=application.notification_mobile,
    )
    return 1


# --- Nightly expiry -------------------------------------------------------------------------------


def cards_expire_overdue(*, today: datetime.date | None = None) -> int:
    """Expire every card still valid after its deadline (the deadline day itself still counts).

    A main card that expires unused takes its accompanying cards with it, and the year's
    总量控制 place is forfeited (seed: 逾期未办理入户手续，视同申请人放弃本年度总量控制类入户指标).
    One transaction per application, so one bad row does not hold back the others.
    """
    today = today or timezone.localdate()
    application_ids = (
        HukouCard.objects.filter(status=HukouCard.Status.VALID, valid_until__lt=today)
        .values_list("application_id", flat=True)
        .distinct()
        .order_by("application_id")
    )
    expired = 0
    for application_id in list(application_ids):
        try:
            expired += _expire_for_application(application_id=application_id, today=today)
        except Exception:
            logger.exception("Expiring the cards of application %s failed", application_id)
    return expired


@transaction.atomic
def _expire_for_application(*, application_id: int, today: datetime.date) -> int:
    application = Application.objects.select_for_update(of=("self",)).get(pk=application_id)
    cards = list(HukouCard.objects.select_for_update().filter(application=application).order_by("id"))
    main = next((c for c in cards if c.is_main), None)
    main_expires = main is not None and main.status == HukouCard.Status.VALID and main.valid_until < today
    changed = []
    for card in cards:
        if not workflow.TABLE.allows(card.status, action=AuditAction.CARD_EXPIRE, actor=workflow.Actor.SYSTEM):
            continue
        if card.valid_until < today:
            card.status_reason = f"超过有效期（{cn_date(card.valid_until)}）未办理入户，本卡注销。"
        elif main_expires and not card.is_main:
            card.status_reason = "主迁人入户卡逾期注销，随迁人入户卡一并注销。"
        else:
            continue
        changed.append(card)
    if not changed:
        return 0
    if main_expires:
        from quota.services import quota_forfeit

        quota_forfeit(application_id=application.pk)
    workflow.transition(
        changed,
        action=AuditAction.CARD_EXPIRE,
        actor=workflow.Actor.SYSTEM,
        application=application,
        extra_fields=("status_reason",),
        reason="逾期未办理入户，注销入户卡："
        + "、".join(c.number for c in changed)
        + (
            "；视同放弃本年度总量控制类入户指标。" if main_expires and application.is_quota_controlled else ""
        ),
    )
    return len(changed)
