"""Public notice (网上公示) and objections (异议)."""

import uuid

from django.conf import settings
from django.db import models


class PublicNotice(models.Model):
    """A district's notice batch: 5 working days of 网上公示 (DESIGN.md §4)."""

    class Status(models.TextChoices):
        OPEN = "open", "公示中"
        CLOSED = "closed", "公示结束"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    district = models.ForeignKey("reference.District", on_delete=models.PROTECT, verbose_name="区")
    title = models.CharField("标题", max_length=120)
    start_date = models.DateField("公示开始日期")
    end_date = models.DateField("公示结束日期")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField("结束处理时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "district__sort_order"]
        indexes = [models.Index(fields=["status", "end_date"], name="notice_status_end_idx")]
        verbose_name = verbose_name_plural = "网上公示"

    def __str__(self) -> str:
        return self.title


class NoticeEntry(models.Model):
    notice = models.ForeignKey(PublicNotice, on_delete=models.PROTECT, related_name="entries")
    application = models.OneToOneField(
        "applications.Application", on_delete=models.PROTECT, related_name="notice_entry"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]
        verbose_name = verbose_name_plural = "公示名单"

    def __str__(self) -> str:
        return f"{self.notice_id}: {self.application_id}"


class Objection(models.Model):
    """An objection raised by anyone during the notice; settled within 20 working days."""

    class Status(models.TextChoices):
        OPEN = "open", "待处理"
        UPHELD = "upheld", "异议成立"
        DISMISSED = "dismissed", "异议不成立"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    entry = models.ForeignKey(NoticeEntry, on_delete=models.PROTECT, related_name="objections")
    contact_name = models.CharField("联系人", max_length=50)
    contact_phone = models.CharField("联系电话", max_length=30)
    contact_email = models.EmailField("电子邮件", blank=True)
    description = models.TextField("异议内容", max_length=2000)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    due_on = models.DateField("处理期限")
    resolution = models.TextField("处理意见", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField("提出时间", auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = verbose_name_plural = "公示异议"

    def __str__(self) -> str:
        return f"异议 {self.public_id.hex[:8]}（{self.get_status_display()}）"
