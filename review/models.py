"""Public notice (网上公示), objections (异议) and the applicants' service ratings (好差评)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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
        OPEN = "open", _("待处理")
        UPHELD = "upheld", _("异议成立")
        DISMISSED = "dismissed", _("异议不成立")

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


class ServiceRating(models.Model):
    """政务服务好差评: the applicant's rating of how the district bureau handled one application,
    given once the handling has ended in a decision (card issued or rejected), once per application."""

    class Score(models.IntegerChoices):
        # The five grades of the 好差评 scale, best first as the rating page lists them.
        # Lazy: the applicant's rating form shows them in English too; the console stays Chinese.
        VERY_SATISFIED = 5, _("非常满意")
        SATISFIED = 4, _("满意")
        BASICALLY_SATISFIED = 3, _("基本满意")
        DISSATISFIED = 2, _("不满意")
        VERY_DISSATISFIED = 1, _("非常不满意")

    COMMENT_MAX = 500

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # One rating per application: the one-to-one column is unique in the database.
    application = models.OneToOneField(
        "applications.Application",
        on_delete=models.PROTECT,
        related_name="service_rating",
        verbose_name="申报",
    )
    # The bureau rated: the application's district when rated, kept on the row so each district's
    # list and the city's per-district figures read one indexed table.
    district = models.ForeignKey("reference.District", on_delete=models.PROTECT, verbose_name="办理区")
    score = models.PositiveSmallIntegerField("评价等级", choices=Score.choices)
    comment = models.TextField("评价内容", max_length=COMMENT_MAX, blank=True)
    # What was rated: the application's status at the time (published = card issued, or rejected).
    outcome = models.CharField("办理结果", max_length=20)
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("评价时间", auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["district", "-created_at"], name="rating_district_created_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5),
                name="rating_score_1_to_5",
                violation_error_message="评价等级须为1至5分。",
            ),
        ]
        verbose_name = verbose_name_plural = "好差评"

    def __str__(self) -> str:
        return f"{self.application_id}：{self.score}分（{self.get_score_display()}）"

    @property
    def is_poor(self) -> bool:
        """不满意 or 非常不满意: a 差评, which the district checks and answers (国办发〔2019〕51号)."""
        return self.score <= self.Score.DISSATISFIED
