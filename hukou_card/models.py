"""广州市入户人员信息卡: one card per person moving (主迁 and each 随迁人)."""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from applications.choices import MoveType
from core.storage import private_storage


def card_pdf_path(instance: "HukouCard", filename: str) -> str:
    # One fixed name per card: a re-run after a killed worker overwrites its own file instead of
    # leaving a second copy behind (hukou_card.services.card_render).
    return f"cards/{instance.issued_on:%Y}/{instance.public_id.hex}.pdf"


class HukouCard(models.Model):
    class Status(models.TextChoices):
        # Lazy: the applicant's panel and the public check show them in the reader's language.
        VALID = "valid", _("有效")
        USED = "used", _("已办理入户")
        EXPIRED = "expired", _("已过期注销")
        CANCELLED = "cancelled", _("已注销（放弃入户）")

    MoveType = MoveType

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField("入户卡卡号", max_length=20, unique=True)
    verification_code = models.CharField("验证码", max_length=8)
    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="hukou_cards"
    )
    move_type = models.CharField("迁入类型", max_length=2, choices=MoveType.choices)
    accompanying_person = models.OneToOneField(
        "applications.AccompanyingPerson",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hukou_card",
    )
    main_card = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="accompanying_cards"
    )
    holder_name = models.CharField("姓名", max_length=50)
    holder_id_number = models.CharField("身份证号码", max_length=20)
    relation = models.CharField("关系", max_length=4, blank=True)
    approval_number = models.CharField("审批文号", max_length=40)
    issuing_bureau = models.CharField("签发单位", max_length=60)
    issued_on = models.DateField("签发日期")
    valid_until = models.DateField("有效期至")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.VALID)
    pdf = models.FileField(storage=private_storage, upload_to=card_pdf_path, max_length=200, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    # Signed by the development CA (no bureau key configured): a test card of no legal effect,
    # marked so on the card, on the public verification page and at the police desk.
    signed_by_development_ca = models.BooleanField("测试卡（开发环境CA签章）", default=False)
    rendered_at = models.DateTimeField("生成时间", null=True, blank=True)
    used_at = models.DateTimeField("入户办结时间", null=True, blank=True)
    used_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField("注销时间", null=True, blank=True)
    status_reason = models.CharField("状态说明", max_length=200, blank=True)
    # The day the holder was told the deadline is near (services.cards_remind_expiring): once per card.
    expiry_reminded_on = models.DateField("到期提醒日期", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application", "move_type", "id"]
        indexes = [models.Index(fields=["status", "valid_until"], name="card_status_valid_until_idx")]
        constraints = [
            # Idempotent issuance: one main card per application, one card per accompanying person.
            models.UniqueConstraint(
                fields=["application"],
                condition=models.Q(move_type=MoveType.MAIN),
                name="one_main_card_per_application",
            ),
            # The 审批文号 is shared by the cards of one application and never by two applications.
            models.UniqueConstraint(
                fields=["approval_number"],
                condition=models.Q(move_type=MoveType.MAIN),
                name="unique_approval_number",
            ),
            models.CheckConstraint(
                condition=models.Q(move_type=MoveType.MAIN, main_card__isnull=True)
                | models.Q(move_type=MoveType.ACCOMPANYING, main_card__isnull=False),
                name="accompanying_card_has_main_card",
            ),
        ]
        verbose_name = verbose_name_plural = "入户信息卡"

    def __str__(self) -> str:
        return f"{self.number} {self.holder_name}"

    @property
    def is_main(self) -> bool:
        return self.move_type == self.MoveType.MAIN

    def effective_status(self, today: datetime.date) -> str:
        """The status a reader should see today: a valid card past its deadline is expired even
        before the nightly task has written it down."""
        if self.status == self.Status.VALID and today > self.valid_until:
            return self.Status.EXPIRED
        return self.status

    @property
    def is_downloadable(self) -> bool:
        return bool(self.pdf) and self.status in (self.Status.VALID, self.Status.USED)


class ApprovalNumberSequence(models.Model):
    """The running number of the 审批文号 of one district in one year (穗天人社引〔2026〕12号)."""

    district = models.ForeignKey("reference.District", on_delete=models.PROTECT, verbose_name="区")
    year = models.PositiveSmallIntegerField("年度")
    last_number = models.PositiveIntegerField("已用至", default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["district", "year"], name="one_approval_sequence_per_district_year"
            )
        ]
        verbose_name = verbose_name_plural = "审批文号序号"

    def __str__(self) -> str:
        return f"{self.district} {self.year}年 {self.last_number}号"
