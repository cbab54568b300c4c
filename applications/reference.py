"""The reference lists every console page needs (categories, sub-categories, districts), read once
per process and version (core.cache.memoized_by_version); the signals of applications and
reference bump the version when an administrator edits them."""

from applications.models import TalentCategory, TalentSubcategory
from core.cache import memoized_by_version, version
from reference.models import District
from reference.selectors import REFERENCE


def _build_reference() -> dict:
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
    return memoized_by_version(REFERENCE, _build_reference)


# Model instances of the reference tables, per process and per reference version: attached to
# rows in place of select_related joins (each join adds planning time on every query; these
# tables change a few times a year).
_objects_memo: dict[int, dict] = {}


def reference_objects() -> dict:
    current = version(REFERENCE)
    objects = _objects_memo.get(current)
    if objects is None:
        categories = {c.pk: c for c in TalentCategory.objects.all()}
        subcategories = {}
        for sub in TalentSubcategory.objects.all():
            TalentSubcategory.category.field.set_cached_value(sub, categories[sub.category_id])
            subcategories[sub.pk] = sub
        objects = {
            "category": categories,
            "subcategory": subcategories,
            "district": {d.pk: d for d in District.objects.all()},
        }
        _objects_memo.clear()
        _objects_memo[current] = objects
    return objects


def attach_reference(rows, *fields: str) -> None:
    """Set each row's category / subcategory / district (the named foreign keys) from memory.

    A field may be a path ("employer__district") through a relation already loaded on the row.
    """
    objects = reference_objects()
    for row in rows:
        for path in fields or ("category", "subcategory", "district"):
            *hops, name = path.split("__")
            target = row
            for hop in hops:
                target = getattr(target, hop, None)
            if target is None:
                continue
            pk = getattr(target, f"{name}_id", None)
            if pk is not None:
                type(target)._meta.get_field(name).set_cached_value(target, objects[name][pk])
