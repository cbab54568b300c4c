"""Bump the reference caches when an administrator edits what they hold."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from core.cache import bump_on_commit
from reference.models import CalendarOverride, District, Subsystem
from reference.selectors import CALENDAR, REFERENCE, SUBSYSTEMS


@receiver([post_save, post_delete], sender=District)
def _districts_changed(sender, **kwargs):
    bump_on_commit(REFERENCE)


@receiver([post_save, post_delete], sender=CalendarOverride)
def _calendar_changed(sender, **kwargs):
    bump_on_commit(CALENDAR)


@receiver([post_save, post_delete], sender=Subsystem)
def _subsystems_changed(sender, **kwargs):
    bump_on_commit(SUBSYSTEMS)
