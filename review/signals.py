"""Cache versions (core.cache) bumped when what the public notice or a queue shows changes.

Signals rather than calls in each service: the Django admin edits notices and employers too, and
every status change writes an AuditEntry with its from/to, whichever code path made it.
"""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from accounts.models import Employer
from applications.choices import Status
from applications.models import Application
from audit.models import AuditEntry
from core.cache import bump_on_commit
from reference.models import District
from review.models import NoticeEntry, Objection, PublicNotice

PUBLIC_NOTICE = "public-notice"


def queue_version_name(district_id: int | None) -> str:
    return f"queue:{district_id or 'all'}"


@receiver(post_save, sender=AuditEntry)
def _status_changed(sender, instance: AuditEntry, created: bool, **kwargs):
    if not created or instance.application_id is None:
        return
    if instance.from_status != instance.to_status:
        if AuditEntry.application.is_cached(instance):  # transition() passes the locked row
            district_id = instance.application.district_id
        else:
            district_id = (
                Application.objects.filter(pk=instance.application_id)
                .values_list("district_id", flat=True)
                .first()
            )
        bump_on_commit(queue_version_name(district_id), queue_version_name(None))
        if Status.IN_NOTICE in (instance.from_status, instance.to_status):
            bump_on_commit(PUBLIC_NOTICE)


# The queue's cached pages (review.views.queue_listing) show the application's own columns: its
# name, ID number, employer, category and deadlines change without a status change too (the
# applicant corrects a returned application, a reviewer extends the decision deadline, the Django
# admin). Any save of an application already in the console is a change of its district's queue.
_OLD_DISTRICT = "_queue_old_district_id"


@receiver(pre_save, sender=Application)
def _application_may_move(sender, instance: Application, update_fields=None, **kwargs):
    """Remember the district a submitted application leaves, whose queue must forget it too."""
    if instance.pk is None or instance.submitted_at is None:
        return
    if update_fields is not None and "district" not in update_fields and "district_id" not in update_fields:
        return  # the district is not being written: no query
    old = Application.objects.filter(pk=instance.pk).values_list("district_id", flat=True).first()
    if old != instance.district_id:
        setattr(instance, _OLD_DISTRICT, old)


@receiver([post_save, post_delete], sender=Application)
def _application_saved(sender, instance: Application, **kwargs):
    if instance.submitted_at is None:
        return  # a draft never submitted is in no queue
    names = {queue_version_name(instance.district_id), queue_version_name(None)}
    old = instance.__dict__.pop(_OLD_DISTRICT, None)
    if old is not None:
        names.add(queue_version_name(old))
    bump_on_commit(*names)


@receiver([post_save, post_delete], sender=Objection)
def _objection_changed(sender, instance: Objection, **kwargs):
    district_id = (
        NoticeEntry.objects.filter(pk=instance.entry_id)
        .values_list("application__district_id", flat=True)
        .first()
    )
    bump_on_commit(queue_version_name(district_id), queue_version_name(None))


@receiver([post_save, post_delete], sender=PublicNotice)
@receiver([post_save, post_delete], sender=NoticeEntry)
@receiver([post_save, post_delete], sender=Employer)
@receiver([post_save, post_delete], sender=District)
def _notice_content_changed(sender, **kwargs):
    bump_on_commit(PUBLIC_NOTICE)
