"""Django admin for the city administrator: notice batches and objections."""

from django.contrib import admin, messages

from core.errors import Refused
from review import services
from review.models import NoticeEntry, Objection, PublicNotice, ServiceRating


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
        except Refused as exc:
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


@admin.register(ServiceRating)
class ServiceRatingAdmin(admin.ModelAdmin):
    """好差评 as given: read only (a rating is the applicant's word, nobody edits it)."""

    list_display = ["application", "district", "score", "outcome", "created_at"]
    list_filter = ["score", "district"]
    list_select_related = ["application", "district"]
    search_fields = ["application__number"]
    readonly_fields = ["application", "district", "score", "comment", "outcome", "rated_by", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
