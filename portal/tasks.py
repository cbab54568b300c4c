"""Portal beat tasks: retention of stored personal data (applications.retention)."""

from celery import shared_task


@shared_task(acks_late=True)
def enforce_retention() -> dict:
    """Daily: delete what has outlived its retention period, keeping the record. Idempotent: what
    is gone is no longer selected."""
    from portal.retention import retention_run

    result = retention_run(dry_run=False)
    return {"scans": len(result.scans), "drafts": len(result.drafts), "exports": len(result.exports)}


@shared_task(acks_late=True)
def build_personal_data_export(export_id: int) -> None:
    from portal.exports import export_build

    export_build(export_id=export_id)
