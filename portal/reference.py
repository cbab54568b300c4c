"""Reference lists every console page needs (categories, sub-categories, districts, calendar),
read once and kept in the versioned cache; portal.signals bumps the version when an administrator
edits them."""

import datetime

from django.core.cache import cache

from portal.cache import version

REFERENCE = "reference"
CALENDAR = "calendar"
TIMEOUT = 24 * 3600


def _cached(name: str, build):
    key = f"{name}:{version(name)}"
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, TIMEOUT)
    return value


def _build_reference() -> dict:
    from applications.models import TalentCategory, TalentSubcategory
    from portal.models import District

    return {
        "categories": [(c.pk, str(c)) for c in TalentCategory.objects.order_by("code")],
        "subcategories": [
            (s.pk, s.category.numeral, s.numeral, s.name, s.category_id)
            for s in TalentSubcategory.objects.select_related("category").order_by(
                "category__code", "sort_order"
            )
        ],
        "districts": [(d.pk, d.name) for d in District.objects.order_by("sort_order")],
    }


def reference_lists() -> dict:
    return _cached(REFERENCE, _build_reference)


def calendar_overrides() -> dict[datetime.date, bool]:
    """Every administrator correction to the holiday calendar (a handful of rows a year)."""
    from portal.models import CalendarOverride

    return _cached(CALENDAR, lambda: dict(CalendarOverride.objects.values_list("date", "is_working_day")))
