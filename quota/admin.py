"""Django admin for the city administrator: the year's 总量控制 quota."""

from django import forms
from django.contrib import admin

from quota.models import Quota, QuotaReservation


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
