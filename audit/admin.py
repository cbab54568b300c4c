"""A read-only view of the audit trail for the city administrator: nobody may add, change or delete
an audit row (and PostgreSQL's trigger refuses it too)."""

from django.contrib import admin

from audit.actions import action_label, role_label
from audit.models import AuditEntry, PersonalDataAccess, RetentionDeletion


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


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(_ReadOnly):
    """个人信息查阅记录 (the console's 查阅记录 page filters and exports it)."""

    list_display = ["created_at", "viewer", "viewer_bureau", "subject", "what", "item", "purpose", "reason"]
    list_filter = ["what", "viewer_role"]
    search_fields = ["application_number", "viewer__username", "subject__username"]
    list_select_related = ["viewer", "subject"]
    date_hierarchy = "created_at"


@admin.register(RetentionDeletion)
class RetentionDeletionAdmin(_ReadOnly):
    """What the retention rules (or a closed account) deleted, and when."""

    list_display = ["created_at", "rule", "kind", "label", "owner", "application_number", "size"]
    list_filter = ["rule", "kind"]
    search_fields = ["application_number", "stored_name", "sha256"]
    list_select_related = ["owner"]
    date_hierarchy = "created_at"
