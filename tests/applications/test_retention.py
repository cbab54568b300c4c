"""Retention: exactly the scans of closed applications past their period, and abandoned drafts,
go, from the folder and from the bucket; a record of each stays; the dry run deletes nothing."""

import datetime
import io
import uuid

import pytest
from django.core.management import call_command
from django.utils import timezone

from applications.choices import Status
from applications.models import Application, LibraryDocument
from audit.models import RetentionDeletion
from portal.retention import retention_run
from tests import factories
from tests.builders import build_application

pytestmark = pytest.mark.django_db

LATER = datetime.timedelta(days=3 * 365 + 2)


def _later(monkeypatch, delta):
    real_now = timezone.now
    monkeypatch.setattr("django.utils.timezone.now", lambda: real_now() + delta)


def _docs(app):
    return list(LibraryDocument.objects.filter(attachments__application=app).distinct())


def _check_retention(monkeypatch, exists, on_commit):
    rejected = build_application(Status.REJECTED)
    published = build_application(Status.PUBLISHED, issue_cards=False)
    in_notice = build_application(Status.IN_NOTICE)
    rejected_docs = _docs(rejected)
    kept_docs = _docs(published) + _docs(in_notice)
    # A scan of the rejected applicant that a newer, published application of theirs uses too.
    shared = factories.LibraryDocumentFactory(owner=rejected.applicant)
    factories.AttachmentFactory(application=rejected, document=shared)
    factories.AttachmentFactory(application=published, document=shared, kind="diploma")
    draft = factories.ApplicationFactory(status=Status.DRAFT)
    Application.objects.filter(pk=draft.pk).update(updated_at=timezone.now() - datetime.timedelta(days=400))
    assert rejected_docs and all(exists(doc.file.name) for doc in rejected_docs + kept_docs)

    dry = io.StringIO()
    call_command("enforce_retention", "--dry-run", stdout=dry)
    assert "将删除：证件库图片0个，申报草稿1份" in dry.getvalue()
    assert Application.objects.filter(pk=draft.pk).exists()

    _later(monkeypatch, LATER)
    dry = io.StringIO()
    call_command("enforce_retention", "--dry-run", stdout=dry)
    assert f"证件库图片{len(rejected_docs)}个" in dry.getvalue()
    assert all(exists(doc.file.name) for doc in rejected_docs)  # a dry run deletes nothing

    with on_commit(execute=True):  # the objects go once the deletion of their rows has committed
        result = retention_run(dry_run=False)
    assert {doc.pk for doc in result.scans} == {doc.pk for doc in rejected_docs}
    assert not LibraryDocument.objects.filter(pk__in=[doc.pk for doc in rejected_docs]).exists()
    assert not any(exists(doc.file.name) for doc in rejected_docs)
    assert all(exists(doc.file.name) for doc in kept_docs + [shared])
    assert not Application.objects.filter(pk=draft.pk).exists()
    records = RetentionDeletion.objects.filter(rule="closed_scans")
    assert {r.stored_name for r in records} == {doc.file.name for doc in rejected_docs}
    assert all(r.owner_id == rejected.applicant_id and r.sha256 and r.application_number == rejected.number for r in records)
    assert RetentionDeletion.objects.filter(rule="abandoned_drafts", owner_id=draft.applicant_id).count() == 1
    # Run again: nothing more goes, nothing is recorded twice.
    assert retention_run(dry_run=False).scans == []
    assert RetentionDeletion.objects.filter(rule="closed_scans").count() == len(rejected_docs)


def test_retention_on_the_local_folder(monkeypatch, django_capture_on_commit_callbacks):
    from applications import retention
    from core.storage import private_storage

    monkeypatch.setattr(retention, "BATCH", 2)  # several batches in one run, none left behind

    _check_retention(monkeypatch, private_storage().exists, django_capture_on_commit_callbacks)


@pytest.fixture
def bucket_storage(s3_server):
    """A fresh bucket on the session's S3-protocol server (moto, tests/conftest.py); the file fields
    point at it."""
    import boto3
    from django.apps import apps
    from django.db.models import FileField
    from storages.backends.s3 import S3Storage

    from core.storage import private_storage

    endpoint = s3_server
    name = f"retention-{uuid.uuid4().hex[:12]}"
    keys = {"aws_access_key_id": "test", "aws_secret_access_key": "test-secret"}
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **keys).create_bucket(Bucket=name)
    storage = S3Storage(
        bucket_name=name, endpoint_url=endpoint, access_key="test", secret_key="test-secret",
        region_name="us-east-1", addressing_style="path", file_overwrite=False,
    )  # fmt: skip
    fields = [
        field for model in apps.get_models() for field in model._meta.get_fields()
        if isinstance(field, FileField) and getattr(field, "_storage_callable", None) is private_storage
    ]  # fmt: skip
    before = [(field, field.storage) for field in fields]
    for field in fields:
        field.storage = storage
    try:
        yield storage
    finally:
        for field, original in before:
            field.storage = original


def test_retention_on_the_bucket(monkeypatch, bucket_storage, django_capture_on_commit_callbacks):
    _check_retention(monkeypatch, bucket_storage.exists, django_capture_on_commit_callbacks)


def test_the_console_says_which_scans_of_a_closed_application_were_deleted(
    monkeypatch, login_client, reviewer, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from tests.builders import give_access_reason

    app = build_application(Status.WITHDRAWN)
    kinds = {doc.get_kind_display() for doc in _docs(app)}
    _later(monkeypatch, LATER)
    with django_capture_on_commit_callbacks(execute=True):
        retention_run(dry_run=False)
    client = login_client(reviewer)
    give_access_reason(client, app, "核查撤回申报的保存情况")
    page = client.get(reverse("review:detail", args=[app.public_id])).content.decode()
    assert "已按保存期限删除的附件" in page and "未上传附件。" not in page
    assert all(kind in page for kind in kinds)
