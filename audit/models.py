"""The audit trail: one row per decision or transition, written once and never changed."""

from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    """One decision or transition: who, when, from, to, reason, IP. Written once, never changed."""

    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, null=True, blank=True, related_name="audit_entries"
    )
    subject_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="涉及用户",
    )
    action = models.CharField("操作", max_length=40)
    from_status = models.CharField("原状态", max_length=20, blank=True)
    to_status = models.CharField("新状态", max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="操作人",
    )
    actor_role = models.CharField("操作人角色", max_length=20, blank=True)
    reason = models.TextField("理由", blank=True)
    ip_address = models.GenericIPAddressField("IP地址", null=True, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        db_table = "applications_auditentry"  # created by the applications app before audit/ owned it
        ordering = ["created_at", "id"]
        verbose_name = verbose_name_plural = "审核记录"

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("审核记录一经写入不可修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("审核记录不可删除。")


class PersonalDataAccess(models.Model):
    """One view of a person's data by a member of staff (个人信息查阅记录): who, in which role and
    bureau, saw what of whom, when, from where, and for which task or stated reason. Written once,
    never changed (the same trigger as the audit trail guards it on PostgreSQL)."""

    class What(models.TextChoices):
        APPLICATION = "application", "申报信息（含身份证号）"
        ATTACHMENT = "attachment", "证件扫描件"
        CARD = "card", "入户信息卡信息"
        CARD_PDF = "card_pdf", "入户信息卡PDF"
        SEARCH = "search", "查询结果"
        OBJECTION = "objection", "异议材料"

    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="信息主体"
    )
    application = models.ForeignKey(
        "applications.Application", on_delete=models.DO_NOTHING, null=True, blank=True, related_name="+",
        db_constraint=False, verbose_name="申报",
    )  # fmt: skip
    # Not a constraint and never updated (the rows are append-only): the number stays readable
    # whatever becomes of the application under the retention rules.
    application_number = models.CharField("申报编号", max_length=24, blank=True)
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="查阅人"
    )
    viewer_role = models.CharField("查阅人角色", max_length=20)
    viewer_bureau = models.CharField("查阅人所属单位", max_length=60)
    what = models.CharField("查阅内容", max_length=20, choices=What.choices)
    item = models.CharField("具体项目", max_length=60, blank=True)  # 身份证, 户口簿, a card number
    purpose = models.CharField("用途", max_length=30)
    reason = models.CharField("查阅理由", max_length=300, blank=True)
    ip_address = models.GenericIPAddressField("IP地址", null=True, blank=True)
    created_at = models.DateTimeField("时间", db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["subject", "-created_at"], name="pda_subject_idx"),
            models.Index(fields=["viewer", "-created_at"], name="pda_viewer_idx"),
        ]
        verbose_name = verbose_name_plural = "个人信息查阅记录"

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.viewer_id} → {self.subject_id} {self.what}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("个人信息查阅记录一经写入不可修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("个人信息查阅记录不可删除。")


class RetentionDeletion(models.Model):
    """The record that a stored object existed and was deleted under a retention rule (or by its
    owner's request): what it was, whose, its size and digest, when and under which rule."""

    rule = models.CharField("保存期限规则", max_length=40)
    kind = models.CharField("对象类别", max_length=40)
    label = models.CharField("说明", max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        db_constraint=False, verbose_name="所属用户",
    )  # fmt: skip
    # Every application the object served, joined by 、 (a 证件库 scan may serve several).
    application_number = models.CharField("申报编号", max_length=200, blank=True)
    stored_name = models.CharField("存储路径", max_length=200, blank=True)
    size = models.PositiveIntegerField("大小（字节）", null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField("删除时间", auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "到期删除记录"

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d} {self.rule} {self.label}"
