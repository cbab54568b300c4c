"""Django admin for the city administrator: users, employers and 单位系统管理员权限 decisions.

Decisions go through accounts.services (who, when, note are recorded there); the admin only asks
for the note on an intermediate page and reports the outcome of each selected request.
"""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from accounts import services
from accounts.forms import AdminDecisionForm
from accounts.models import CertificateBinding, Employer, EmployerAdmin, User, UserSubsystem
from core.client_ip import client_ip


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = (
        "username",
        "full_name",
        "role",
        "district",
        "mobile",
        "email",
        "is_active",
        "date_joined",
    )
    list_filter = ("role", "district", "is_active", "is_staff")
    search_fields = ("username", "full_name", "id_number", "mobile", "email")
    ordering = ("-date_joined",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("实名信息", {"fields": ("full_name", "id_type", "id_number", "truthfulness_promised_at")}),
        ("联系方式", {"fields": ("workplace", "landline", "mobile", "email", "personal_note")}),
        ("角色", {"fields": ("role", "district", "is_active", "is_staff", "is_superuser", "groups")}),
        ("时间", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "full_name", "role", "district", "password1", "password2"),
            },
        ),
    )
    readonly_fields = ("truthfulness_promised_at", "last_login", "date_joined")


@admin.register(Employer)
class EmployerModelAdmin(admin.ModelAdmin):
    list_display = ("name", "credit_code", "district", "is_key_employer", "created_at")
    list_filter = ("district", "is_key_employer")
    search_fields = ("name", "credit_code")
    readonly_fields = ("public_id", "created_at")


def _decide(modeladmin, request, queryset, *, title, service, note_required, success_text):
    """An intermediate page asks for the note, then each selected request goes through the service."""
    form = AdminDecisionForm(request.POST if "apply" in request.POST else None, note_required=note_required)
    if "apply" in request.POST and form.is_valid():
        done = 0
        for right in queryset.select_related("employer", "user"):
            try:
                service(request_id=right.pk, by=request.user, note=form.cleaned_data["note"])
            except (ValidationError, PermissionDenied) as error:
                text = "；".join(error.messages) if isinstance(error, ValidationError) else str(error)
                modeladmin.message_user(
                    request, f"{right.user.display_name} → {right.employer.name}：{text}", messages.ERROR
                )
            else:
                done += 1
        if done:
            modeladmin.message_user(request, f"{success_text} {done} 项。", messages.SUCCESS)
        return None
    return TemplateResponse(
        request,
        "admin/accounts/employer_admin_decision.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": title,
            "rights": queryset.select_related("employer", "user"),
            "form": form,
            "action": request.POST.get("action"),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "opts": modeladmin.model._meta,
        },
    )


@admin.register(EmployerAdmin)
class EmployerAdminRightAdmin(admin.ModelAdmin):
    list_display = (
        "user_name",
        "employer",
        "status",
        "created_at",
        "decided_by",
        "decided_at",
        "licence_link",
    )
    list_filter = ("status", "employer__district")
    search_fields = ("user__username", "user__full_name", "employer__name", "employer__credit_code")
    list_select_related = ("user", "employer", "decided_by")
    date_hierarchy = "created_at"
    actions = ["approve_selected", "refuse_selected", "cancel_selected"]
    fields = (
        "public_id", "user", "employer", "status", "licence_link", "applicant_note", "created_at",
        "decided_by", "decided_at", "decision_note", "cancelled_by", "cancelled_at", "cancel_note",
    )  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # requests come from the applicant's form, with the licence check

    def has_change_permission(self, request, obj=None):
        return False  # decisions only through the actions, which record who and when

    @admin.display(description="申请人", ordering="user__full_name")
    def user_name(self, obj):
        return obj.user.display_name

    @admin.display(description="营业执照")
    def licence_link(self, obj):
        if not obj.business_licence:
            return "—"
        url = reverse("accounts:employer_admin_licence", args=[obj.public_id])
        return format_html('<a href="{}" target="_blank" rel="noopener">查看营业执照</a>', url)

    @admin.action(description="批准所选申请")
    def approve_selected(self, request, queryset):
        return _decide(
            self, request, queryset, title="批准单位系统管理员权限", service=services.employer_admin_approve,
            note_required=False, success_text="已批准",
        )  # fmt: skip

    @admin.action(description="不予批准所选申请（需填写理由）")
    def refuse_selected(self, request, queryset):
        return _decide(
            self, request, queryset, title="不予批准单位系统管理员权限", service=services.employer_admin_refuse,
            note_required=True, success_text="已不予批准",
        )  # fmt: skip

    @admin.action(description="取消所选权限（需填写理由）")
    def cancel_selected(self, request, queryset):
        return _decide(
            self, request, queryset, title="取消单位系统管理员权限", service=services.employer_admin_cancel,
            note_required=True, success_text="已取消",
        )  # fmt: skip


@admin.register(UserSubsystem)
class UserSubsystemAdmin(admin.ModelAdmin):
    list_display = ("user", "subsystem", "added_at")
    list_filter = ("subsystem",)
    search_fields = ("user__username", "user__full_name")
    list_select_related = ("user", "subsystem")
    raw_id_fields = ("user",)


@admin.register(CertificateBinding)
class CertificateBindingAdmin(admin.ModelAdmin):
    """The bound CA certificates. Only the holder binds (with their password, on the certificate
    server); the city administrator can only remove one (a lost USB Key, a certificate claimed by
    its real owner), and the removal goes through the service, so it is on the audit trail."""

    list_display = ("user", "subject_dn", "serial", "issuer_dn", "bound_at")
    search_fields = ("user__username", "user__full_name", "subject_dn", "serial")
    list_select_related = ("user",)
    readonly_fields = ("user", "subject_dn", "issuer_dn", "serial", "bound_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        services.certificate_unbind(user=obj.user, by=request.user, ip_address=client_ip(request))

    def delete_queryset(self, request, queryset):
        for binding in queryset.select_related("user"):
            self.delete_model(request, binding)
