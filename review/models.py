"""Public notice (网上公示), objections (异议) and the annual 总量控制 quota."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class Quota(models.Model):
    """The year's 总量控制类 places of one district, or of one named key employer (五(四)).

    `reserved` and `used` change only under select_for_update in review.services; the check
    constraint makes overselling impossible even if a code path forgot the lock.
    """

    year = models.PositiveSmallIntegerField("年度")
    district = models.ForeignKey("portal.District", on_delete=models.PROTECT, verbose_name="区")
    employer = models.ForeignKey(
        "accounts.Employer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name="重点扶持用人单位（五(四)专项）",
    )
    total_places = models.PositiveIntegerField("指标总数")
    reserved = models.PositiveIntegerField("公示中占用", default=0)
    used = models.PositiveIntegerField("已使用", default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year", "district__sort_order", "employer__name"]
        verbose_name = verbose_name_plural = "总量控制指标"
        constraints = [
            models.CheckConstraint(
                condition=Q(reserved__lte=F("total_places") - F("used")),
                name="quota_never_oversold",
                violation_error_message="指标总数不能少于已使用和公示中占用的指标数之和。",
            ),
            models.UniqueConstraint(
                fields=["year", "district"],
                condition=Q(employer__isnull=True),
                name="one_district_quota_per_year",
                violation_error_message="该年度已为此区设置了指标，请直接修改原记录。",
            ),
            models.UniqueConstraint(
                fields=["year", "employer"],
                condition=Q(employer__isnull=False),
                name="one_employer_quota_per_year",
                violation_error_message="该年度已为此单位设置了五(四)专项指标，请直接修改原记录。",
            ),
        ]

    def __str__(self) -> str:
        owner = self.employer.name if self.employer_id else self.district.name
        return f"{self.year}年 {owner} 总量控制指标"

    @property
    def remaining(self) -> int:
        return self.total_places - self.reserved - self.used


class QuotaReservation(models.Model):
    class Status(models.TextChoices):
        RESERVED = "reserved", "公示中占用"
        RELEASED = "released", "已释放"
        CONSUMED = "consumed", "已使用"
        FORFEITED = "forfeited", "逾期未入户，视同放弃"

    quota = models.ForeignKey(Quota, on_delete=models.PROTECT, related_name="reservations")
    application = models.OneToOneField(
        "applications.Application", on_delete=models.PROTECT, related_name="quota_reservation"
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.RESERVED)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "指标占用记录"

    def __str__(self) -> str:
        return f"{self.application_id}（{self.get_status_display()}）"


class PublicNotice(models.Model):
    """A district's notice batch: 5 working days of 网上公示 (DESIGN.md §4)."""

    class Status(models.TextChoices):
        OPEN = "open", "公示中"
        CLOSED = "closed", "公示结束"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    district = models.ForeignKey("portal.District", on_delete=models.PROTECT, verbose_name="区")
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
