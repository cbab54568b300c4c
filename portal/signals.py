"""Bump the reference caches (portal.reference) when an administrator edits what they hold."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from applications.models import TalentCategory, TalentSubcategory
from core.cache import bump_on_commit
from portal.models import CalendarOverride, District
from portal.reference import CALENDAR, REFERENCE


@receiver([post_save, post_delete], sender=TalentCategory)
@receiver([post_save, post_delete], sender=TalentSubcategory)
@receiver([post_save, post_delete], sender=District)
def _reference_changed(sender, **kwargs):
    bump_on_commit(REFERENCE)


@receiver([post_save, post_delete], sender=CalendarOverride)
def _calendar_changed(sender, **kwargs):
    bump_on_commit(CALENDAR)
