"""Django admin for the city administrator: reference data, the catalogue, content pages, the calendar."""

from django.contrib import admin

from portal.models import CalendarOverride, ContentPage, District, Subsystem, UserSubsystem


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "contact_phone", "contact_email", "sort_order")
    search_fields = ("name", "code")
    ordering = ("sort_order", "code")


@admin.register(Subsystem)
class SubsystemAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "is_provided", "entry_url_name", "sort_order")
    list_filter = ("is_provided",)
    search_fields = ("name", "slug")


@admin.register(UserSubsystem)
class UserSubsystemAdmin(admin.ModelAdmin):
    list_display = ("user", "subsystem", "added_at")
    list_filter = ("subsystem",)
    search_fields = ("user__username", "user__full_name")
    list_select_related = ("user", "subsystem")
    raw_id_fields = ("user",)


@admin.register(ContentPage)
class ContentPageAdmin(admin.ModelAdmin):
    list_display = ("title", "section", "slug", "document_number", "is_new", "sort_order", "updated_at")
    list_filter = ("section", "is_new")
    search_fields = ("title", "slug", "document_number", "body")
    # Other pages link to these slugs (guide-declaration, guide-employer-admin, ...): keep them stable.
    readonly_fields = ("updated_at",)


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    """Corrections to the holiday calendar that portal.workdays applies over the `holidays` package."""

    list_display = ("date", "is_working_day", "note")
    list_filter = ("is_working_day",)
    date_hierarchy = "date"
