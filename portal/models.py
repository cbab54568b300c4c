"""下载我的个人信息: the ZIP a worker builds for an applicant, offered for a day."""

import uuid

from django.conf import settings
from django.db import models

from core.storage import private_storage


def export_path(instance: "PersonalDataExport", filename: str) -> str:
    return f"exports/{instance.user_id}/{uuid.uuid4().hex}.zip"


class PersonalDataExport(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "正在生成"
        READY = "ready", "可以下载"
        EXPIRED = "expired", "已过期删除"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(storage=private_storage, upload_to=export_path, max_length=200, blank=True)
    size = models.PositiveIntegerField("大小（字节）", null=True, blank=True)
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    ready_at = models.DateTimeField("生成时间", null=True, blank=True)
    expires_at = models.DateTimeField("下载截止时间", null=True, blank=True)
    first_downloaded_at = models.DateTimeField("首次下载时间", null=True, blank=True)
    download_count = models.PositiveSmallIntegerField("下载次数", default=0)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = verbose_name_plural = "个人信息下载包"

    def __str__(self) -> str:
        return f"{self.user_id} {self.requested_at:%Y-%m-%d %H:%M} {self.status}"
