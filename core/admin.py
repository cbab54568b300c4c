from django.contrib import admin

from core.models import OutboxJob


@admin.register(OutboxJob)
class OutboxJobAdmin(admin.ModelAdmin):
    """What the relay has still to send (sent_at empty) and what it sent lately; read-only: jobs
    are written by the services and sent by the relay (`manage.py relay_outbox`)."""

    list_display = ("id", "task_name", "args", "created_at", "attempts", "last_error", "sent_at")
    list_filter = (("sent_at", admin.EmptyFieldListFilter), "task_name")
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in OutboxJob._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
