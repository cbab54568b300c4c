"""Django admin for the city administrator: read the 申报 and reference data; statuses never change here
(every transition goes through the services and their audit rows)."""

from django.contrib import admin

from applications.models import (
    AccompanyingPerson,
    ApplicantBar,
    Application,
    Attachment,
    LibraryDocument,
    ReapplicationGrant,
    TalentCategory,
    TalentSubcategory,
)
from audit.access_log import AdminChangeViewLogged


class TalentSubcategoryInline(admin.TabularInline):
    model = TalentSubcategory
    extra = 0
    fields = ("code", "numeral", "name", "max_age", "sort_order")
    # The code keys the eligibility rule and the age limit is the rule's (applications.eligibility):
    # a new or renamed code would pass every rule, so both are read-only and sub-categories come
    # with their rules in a data migration, never from here.
    readonly_fields = ("code", "max_age")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(TalentCategory)
class TalentCategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "numeral", "name", "card_label", "is_quota_controlled")
    inlines = [TalentSubcategoryInline]


class AccompanyingPersonInline(admin.TabularInline):
    model = AccompanyingPerson
    extra = 0
    can_delete = False
    fields = ("full_name", "relation", "id_type", "id_number", "gender", "birth_date")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    can_delete = False
    fields = ("kind", "document", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(AdminChangeViewLogged, admin.ModelAdmin):
    list_display = (
        "number",
        "full_name",
        "status",
        "category",
        "subcategory",
        "district",
        "year",
        "last_submitted_at",
    )
    list_filter = ("status", "year", "category", "district")
    search_fields = ("number", "full_name", "id_number", "employer__name")
    list_select_related = ("category", "subcategory", "district")
    date_hierarchy = "created_at"
    inlines = [AccompanyingPersonInline, AttachmentInline]
    raw_id_fields = ("applicant", "employer", "employer_confirmed_by")

    def get_readonly_fields(self, request, obj=None):
        # The answers are the applicant's and the decisions the reviewers': all read-only here.
        return [field.name for field in self.model._meta.fields]

    def access_subject(self, obj):
        # The admin's page shows every answer and the ID number: a view of personal data as well.
        return obj.applicant_id, obj, ""

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LibraryDocument)
class LibraryDocumentAdmin(admin.ModelAdmin):
    list_display = ("owner", "kind", "original_name", "size", "width", "height", "created_at")
    list_filter = ("kind",)
    search_fields = ("owner__username", "owner__full_name", "original_name")
    raw_id_fields = ("owner",)
    readonly_fields = (
        "public_id",
        "owner",
        "kind",
        "file",
        "original_name",
        "size",
        "width",
        "height",
        "sha256",
    )

    def has_add_permission(self, request):
        return False


@admin.register(ReapplicationGrant)
class ReapplicationGrantAdmin(admin.ModelAdmin):
    list_display = ("applicant", "year", "reason", "granted_by", "used_by", "created_at")
    list_filter = ("year",)
    raw_id_fields = ("applicant", "granted_by", "used_by")

    # Granted and barred only through review.services, which write the audit row.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApplicantBar)
class ApplicantBarAdmin(admin.ModelAdmin):
    list_display = ("applicant", "barred_from", "barred_until", "reason", "created_by")
    raw_id_fields = ("applicant", "application", "created_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
