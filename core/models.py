"""core's one model: the outbox of Celery jobs (core/outbox.py says how it is used)."""

from django.db import models
from django.utils import timezone


class OutboxJob(models.Model):
    """A Celery job a service dispatched, written in the same transaction as the decision that
    asked for it, so the job exists exactly when the decision does. It stays pending
    (`sent_at` empty) until the broker has taken it; sent rows are kept OUTBOX_KEEP_SENT_DAYS so an
    operator can tell when a job left, then deleted by the relay."""

    task_name = models.CharField("任务", max_length=200)
    args = models.JSONField("位置参数", default=list)
    kwargs = models.JSONField("关键字参数", default=dict)
    # The request that dispatched the job: its id follows the job into the worker's log lines.
    request_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField("登记时间", default=timezone.now)
    attempts = models.PositiveIntegerField("失败次数", default=0)
    last_attempt_at = models.DateTimeField("最近失败时间", null=True, blank=True)
    last_error = models.TextField("最近错误", blank=True)
    sent_at = models.DateTimeField("送达队列时间", null=True, blank=True)

    class Meta:
        indexes = [
            # The relay and the health check read only the pending rows, oldest first.
            models.Index(
                fields=["created_at", "id"],
                condition=models.Q(sent_at__isnull=True),
                name="outbox_pending_idx",
            ),
            models.Index(
                fields=["sent_at"], condition=models.Q(sent_at__isnull=False), name="outbox_sent_idx"
            ),
        ]
        verbose_name = verbose_name_plural = "待发送任务"

    def __str__(self) -> str:
        state = "已发送" if self.sent_at else "待发送"
        return f"{self.task_name}{self.args} {state}"
