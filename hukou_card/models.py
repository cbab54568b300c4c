"""广州市入户人员信息卡: one card per person moving (主迁 and each 随迁人)."""

import uuid

from django.conf import settings
from django.db import models

from portal.storage import private_storage


def card_pdf_path(instance: "HukouCard", filename: str) -> str:
    return f"cards/{instance.issued_on:%Y}/{uuid.uuid4().hex}.pdf"


class HukouCard(models.Model):
    class Status(models.TextChoices):
        VALID = "valid", "有效"
        USED = "used", "已办理入户"
        EXPIRED = "expired", "已过期注销"
        CANCELLED = "cancelled", "已注销（放弃入户）"

    class MoveType(models.TextChoices):
        MAIN = "主迁", "主迁"
        ACCOMPANYING = "随迁", "随迁"

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
    rendered_at = models.DateTimeField("生成时间", null=True, blank=True)
    used_at = models.DateTimeField("入户办结时间", null=True, blank=True)
    used_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField("注销时间", null=True, blank=True)
    status_reason = models.CharField("状态说明", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application", "move_type", "id"]
        indexes = [models.Index(fields=["status", "valid_until"], name="card_status_valid_until_idx")]
        constraints = [
            # Idempotent issuance: one main card per application, one card per accompanying person.
            models.UniqueConstraint(
                fields=["application"],
                condition=models.Q(move_type="主迁"),
                name="one_main_card_per_application",
            ),
        ]
        verbose_name = verbose_name_plural = "入户信息卡"

    def __str__(self) -> str:
        return f"{self.number} {self.holder_name}"
