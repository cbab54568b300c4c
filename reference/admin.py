"""Django admin for the city administrator: districts, the subsystem catalogue, the calendar, the
content pages."""

from django.contrib import admin

from reference.models import CalendarOverride, ContentPage, District, Subsystem


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


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    """Corrections to the holiday calendar that reference.workdays applies over the `holidays` package."""

    list_display = ("date", "is_working_day", "note")
    list_filter = ("is_working_day",)
    date_hierarchy = "date"


@admin.register(ContentPage)
class ContentPageAdmin(admin.ModelAdmin):
    list_display = ("title", "section", "slug", "document_number", "is_new", "sort_order", "updated_at")
    list_filter = ("section", "is_new")
    search_fields = ("title", "slug", "document_number", "body")
    # Other pages link to these slugs (guide-declaration, guide-employer-admin, ...): keep them stable.
    readonly_fields = ("updated_at",)
