"""The annual 总量控制 quota and the places reserved from it (the ledger)."""

from django.db import models
from django.db.models import F, Q


class Quota(models.Model):
    """The year's 总量控制类 places of one district, or of one named key employer (五(四)).

    `reserved` and `used` change only under select_for_update in quota.services; the check
    constraint makes overselling impossible even if a code path forgot the lock.
    """

    year = models.PositiveSmallIntegerField("年度")
    district = models.ForeignKey("reference.District", on_delete=models.PROTECT, verbose_name="区")
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
        db_table = "review_quota"  # created by the review app before quota/ owned it
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
        db_table = "review_quotareservation"  # created by the review app before quota/ owned it
        verbose_name = verbose_name_plural = "指标占用记录"

    def __str__(self) -> str:
        return f"{self.application_id}（{self.get_status_display()}）"
