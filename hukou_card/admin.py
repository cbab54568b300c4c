from django.contrib import admin, messages

from audit.access_log import AdminChangeViewLogged
from audit.models import PersonalDataAccess
from hukou_card import services
from hukou_card.models import ApprovalNumberSequence, HukouCard


@admin.register(HukouCard)
class HukouCardAdmin(AdminChangeViewLogged, admin.ModelAdmin):
    access_what = PersonalDataAccess.What.CARD

    def access_subject(self, obj):
        # The card's page shows its holder's name and ID number (the main applicant's or a family member's).
        return obj.application.applicant_id, obj.application, obj.number

    list_display = (
        "number",
        "holder_name",
        "move_type",
        "approval_number",
        "status",
        "issued_on",
        "valid_until",
    )
    list_filter = ("status", "move_type", "issued_on")
    search_fields = ("number", "holder_name", "approval_number", "application__number")
    list_select_related = ("application",)
    date_hierarchy = "issued_on"
    actions = ("rerender_and_sign",)
    # Cards change only through the services (issue, cancel, police, expiry): read-only here.
    readonly_fields = [field.name for field in HukouCard._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="重新生成并签章所选有效入户卡（更换签章证书后）")
    def rerender_and_sign(self, request, queryset):
        done = 0
        for card in queryset.filter(status=HukouCard.Status.VALID):
            services.card_render(card_id=card.pk, force=True)
            done += 1
        messages.success(request, f"已重新生成并签章 {done} 张有效入户卡；其他状态的入户卡未改动。")


@admin.register(ApprovalNumberSequence)
class ApprovalNumberSequenceAdmin(admin.ModelAdmin):
    list_display = ("district", "year", "last_number")
    list_filter = ("year",)
    readonly_fields = ("district", "year", "last_number")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
