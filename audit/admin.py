"""A read-only view of the audit trail for the city administrator: nobody may add, change or delete
an audit row (and PostgreSQL's trigger refuses it too)."""

from django.contrib import admin

from audit.actions import action_label, role_label
from audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit trail, readable by the city administrator and by nobody editable."""

    list_display = [
        "created_at",
        "application",
        "action_name",
        "from_status",
        "to_status",
        "actor",
        "role",
        "ip_address",
    ]
    list_filter = ["action", "actor_role"]
    search_fields = ["application__number", "reason"]
    list_select_related = ["application", "actor"]
    date_hierarchy = "created_at"

    @admin.display(description="操作")
    def action_name(self, obj: AuditEntry) -> str:
        return action_label(obj.action)

    @admin.display(description="操作人角色")
    def role(self, obj: AuditEntry) -> str:
        return role_label(obj.actor_role)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
