"""Django admin for the city administrator: the year's quota, notice batches, objections, and a
read-only view of the audit trail (nobody may add, change or delete an audit row)."""

from django import forms
from django.contrib import admin, messages

from applications.models import AuditEntry
from review import services
from review.audit import action_label, role_label
from review.models import NoticeEntry, Objection, PublicNotice, Quota, QuotaReservation


class QuotaAdminForm(forms.ModelForm):
    class Meta:
        model = Quota
        fields = ["year", "district", "employer", "total_places"]

    def clean(self):
        cleaned = super().clean()
        employer, district = cleaned.get("employer"), cleaned.get("district")
        if employer is not None:
            if not employer.is_key_employer:
                self.add_error(
                    "employer", "只有重点扶持用人单位可以设置五(四)专项指标，请先在用人单位中标记。"
                )
            elif district is not None and employer.district_id != district.pk:
                self.add_error("district", f"该单位所在区为{employer.district.name}，请选择相同的区。")
        total = cleaned.get("total_places")
        if total is not None and self.instance.pk:
            taken = self.instance.reserved + self.instance.used
            if total < taken:
                self.add_error(
                    "total_places",
                    f"已有{self.instance.used}个已使用、{self.instance.reserved}个公示中占用，指标总数不能少于{taken}。",
                )
        return cleaned


class QuotaReservationInline(admin.TabularInline):
    model = QuotaReservation
    fields = ["application", "status", "created_at", "updated_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Quota)
class QuotaAdmin(admin.ModelAdmin):
    form = QuotaAdminForm
    list_display = ["year", "district", "employer", "total_places", "reserved", "used", "remaining_places"]
    list_filter = ["year", "district"]
    list_select_related = ["district", "employer"]
    readonly_fields = ["reserved", "used"]
    inlines = [QuotaReservationInline]

    @admin.display(description="剩余")
    def remaining_places(self, obj: Quota) -> int:
        return obj.remaining

    def has_delete_permission(self, request, obj=None):
        # A quota that places were taken from stays, or the bookkeeping would lose its anchor.
        if obj is not None and (obj.reserved or obj.used):
            return False
        return super().has_delete_permission(request, obj)


class NoticeEntryInline(admin.TabularInline):
    model = NoticeEntry
    fields = ["application", "added_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.action(description="结束所选公示（已期满的），公布无异议人员")
def close_notices(modeladmin, request, queryset):
    for notice in queryset.filter(status=PublicNotice.Status.OPEN):
        try:
            result = services.notice_close(notice_id=notice.pk, by=request.user)
        except services.DecisionRefused as exc:
            modeladmin.message_user(request, f"{notice.title}：{exc}", messages.WARNING)
            continue
        modeladmin.message_user(
            request,
            f"{notice.title}：公布{len(result.published)}人，暂缓{len(result.held)}人。",
            messages.SUCCESS,
        )


@admin.register(PublicNotice)
class PublicNoticeAdmin(admin.ModelAdmin):
    list_display = ["title", "district", "start_date", "end_date", "status", "closed_at"]
    list_filter = ["status", "district"]
    list_select_related = ["district"]
    search_fields = ["title"]
    readonly_fields = ["district", "title", "start_date", "end_date", "status", "closed_at"]
    inlines = [NoticeEntryInline]
    actions = [close_notices]

    def has_add_permission(self, request):
        return False  # batches are opened by approvals (review.services.application_approve)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Objection)
class ObjectionAdmin(admin.ModelAdmin):
    list_display = ["short_id", "entry", "status", "due_on", "created_at", "decided_at"]
    list_filter = ["status"]
    readonly_fields = [
        "entry", "contact_name", "contact_phone", "contact_email", "description", "status", "due_on",
        "resolution", "decided_by", "decided_at", "ip_address", "created_at",
    ]  # fmt: skip

    @admin.display(description="异议编号")
    def short_id(self, obj: Objection) -> str:
        return obj.public_id.hex[:8].upper()

    def has_add_permission(self, request):
        return False  # raised on the public notice page, with captcha

    def has_change_permission(self, request, obj=None):
        return False  # decided in the console (review:objection_detail), audited

    def has_delete_permission(self, request, obj=None):
        return False


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
