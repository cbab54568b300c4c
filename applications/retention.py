"""Retention: stored personal data is deleted when its period is over (docs/operations.md).

Each rule finds what has outlived its period, and `retention_enforce` deletes it through the
storage the file lives in (the local folder or the bucket: `FieldFile.storage`), keeping a
RetentionDeletion row for each object: that it existed, whose it was, its size and digest, when and
under which rule it went. What a published application (its card) or an application still in its
notice (an objection may be open) uses is never selected: a scan shared with such an application
stays, whatever else it was attached to.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.db.models.functions import Coalesce
from django.utils import timezone

from applications.choices import Status
from applications.models import Application, Attachment, LibraryDocument
from audit.models import AuditEntry, RetentionDeletion

logger = logging.getLogger(__name__)

RULE_CLOSED_SCANS = "closed_scans"
RULE_ABANDONED_DRAFTS = "abandoned_drafts"
# Applications whose scans the bureau no longer needs once the period after the decision is over.
CLOSED_STATUSES = (Status.REJECTED, Status.WITHDRAWN)


@dataclass
class RetentionPlan:
    scans: list[LibraryDocument] = field(default_factory=list)
    drafts: list[Application] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [
            f"[{RULE_CLOSED_SCANS}] 证件库图片 {doc.pk} {doc.get_kind_display()} {doc.file.name}（用户{doc.owner_id}）"
            for doc in self.scans
        ]
        out += [
            f"[{RULE_ABANDONED_DRAFTS}] 申报草稿 {app.public_id}（用户{app.applicant_id}，最后修改 {app.updated_at:%Y-%m-%d}）"
            for app in self.drafts
        ]
        return out


def _closed_before(cutoff: datetime.datetime):
    return Application.objects.annotate(closed_at=Coalesce("decided_at", "updated_at")).filter(
        status__in=CLOSED_STATUSES, closed_at__lt=cutoff
    )


# A run deletes in batches of this many objects per rule, so a first run after years of history
# never holds a list of every scan in memory.
BATCH = 500


def retention_plan(*, now: datetime.datetime | None = None, limit: int | None = None) -> RetentionPlan:
    """What the rules would delete now (the dry run prints it; `retention_enforce` deletes it),
    the first `limit` objects of each rule when given."""
    now = now or timezone.now()
    scans_cutoff = now - datetime.timedelta(days=settings.RETENTION_CLOSED_SCANS_DAYS)
    drafts_cutoff = now - datetime.timedelta(days=settings.RETENTION_ABANDONED_DRAFT_DAYS)
    expired = _closed_before(scans_cutoff).values("pk")
    # Used by any application that is not closed and past its period: a draft, one in review or in
    # its notice, a published one (its card), or a closed one still within its period.
    still_needed = Attachment.objects.filter(document=OuterRef("pk")).exclude(application__in=expired)
    scans = (
        LibraryDocument.objects.filter(attachments__application__in=expired)
        .exclude(Exists(still_needed))
        .distinct()
        .order_by("pk")
    )
    drafts = (
        Application.objects.filter(status=Status.DRAFT, updated_at__lt=drafts_cutoff)
        # A draft with a trail is not merely abandoned: keep it for a person to look at.
        .exclude(Exists(AuditEntry.objects.filter(application=OuterRef("pk"))))
        .order_by("pk")
    )
    if limit is not None:
        scans, drafts = scans[:limit], drafts[:limit]
    return RetentionPlan(scans=list(scans), drafts=list(drafts))


def _delete_file(file) -> None:
    name = file.name
    try:
        file.storage.delete(name)
    except Exception:  # the record stands; the object is found and deleted by hand (logged)
        logger.exception("retention: the stored object %s could not be deleted", name)


def retention_enforce(*, now: datetime.datetime | None = None) -> RetentionPlan:
    """Delete what `retention_plan` selects, batch after batch, one object per transaction, each
    with its record. What is deleted is no longer selected, so the loop ends."""
    now = now or timezone.now()
    done = RetentionPlan()
    while True:
        plan = retention_plan(now=now, limit=BATCH)
        if not plan.scans and not plan.drafts:
            return done
        _enforce(plan)
        done.scans += plan.scans
        done.drafts += plan.drafts


def _enforce(plan: RetentionPlan) -> None:
    for doc in plan.scans:
        with transaction.atomic():
            locked = LibraryDocument.objects.select_for_update().filter(pk=doc.pk).first()
            if locked is None:
                continue
            numbers = sorted(
                number
                for number in locked.attachments.values_list("application__number", flat=True)
                if number
            )
            RetentionDeletion.objects.create(
                rule=RULE_CLOSED_SCANS,
                kind="library_document",
                label=f"{locked.get_kind_display()}（{locked.original_name}）"[:200],
                owner_id=locked.owner_id,
                application_number="、".join(numbers)[:200],
                stored_name=locked.file.name,
                size=locked.size,
                sha256=locked.sha256,
            )
            locked.attachments.all().delete()
            locked.delete()
            transaction.on_commit(lambda file=locked.file: _delete_file(file))
    for draft in plan.drafts:
        with transaction.atomic():
            locked = Application.objects.select_for_update().filter(pk=draft.pk, status=Status.DRAFT).first()
            if locked is None:
                continue
            RetentionDeletion.objects.create(
                rule=RULE_ABANDONED_DRAFTS,
                kind="application_draft",
                label=f"申报草稿（{locked.year}年度，最后修改 {timezone.localtime(locked.updated_at):%Y-%m-%d}）",
                owner_id=locked.applicant_id,
            )
            # Its attachments point at 证件库 images, which stay the applicant's own.
            locked.delete()
