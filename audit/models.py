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
