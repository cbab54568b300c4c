"""Bump the reference cache when an administrator edits the talent categories."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from applications.models import TalentCategory, TalentSubcategory
from core.cache import bump_on_commit
from reference.selectors import REFERENCE


@receiver([post_save, post_delete], sender=TalentCategory)
@receiver([post_save, post_delete], sender=TalentSubcategory)
def _categories_changed(sender, **kwargs):
    bump_on_commit(REFERENCE)
