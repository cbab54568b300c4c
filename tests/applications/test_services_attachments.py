"""Attachments: checked JPEGs kept in the applicant's 证件库, attached per kind, frozen at submit."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from applications import services
from applications.choices import AttachmentKind, Status
from applications.models import Attachment, LibraryDocument
from tests.factories import (
    ApplicationFactory,
    AttachmentFactory,
    LibraryDocumentFactory,
    UserFactory,
    jpeg_bytes,
)

# Files are stored here: each test runs on the local folder and on a bucket (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.both_storages]


def jpeg_file(name="身份证.jpg", **kwargs) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_bytes(**kwargs), content_type="image/jpeg")


def upload(application, kind=AttachmentKind.ID_CARD, file=None):
    return services.attachment_upload(
        application=application, kind=kind, uploaded_file=file or jpeg_file(), by=application.applicant
    )


def test_upload_keeps_the_checked_file_in_the_library_under_a_server_name():
    application = ApplicationFactory()
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    attachment = upload(application, file=jpeg_file("../../etc/passwd.jpg", exif=exif.tobytes()))
    document = attachment.document
    assert document.owner == application.applicant
    assert document.kind == AttachmentKind.ID_CARD
    assert document.original_name == "passwd.jpg"  # the base name, kept as data only
    assert document.file.name.startswith(f"documents/{application.applicant_id}/")
    assert document.file.name.endswith(".jpg") and "passwd" not in document.file.name
    with document.file.open("rb") as stored:
        content = stored.read()
    assert b"PhoneMaker" not in content
    assert Image.open(io.BytesIO(content)).size == (800, 600)
    assert (document.width, document.height, document.size) == (800, 600, len(content))


def test_bad_file_is_refused_and_nothing_is_stored():
    application = ApplicationFactory()
    png = io.BytesIO()
    Image.new("RGB", (300, 300)).save(png, "PNG")
    with pytest.raises(ValidationError) as info:
        upload(application, file=SimpleUploadedFile("scan.jpg", png.getvalue()))
    assert "PNG" in info.value.messages[0]
    assert not LibraryDocument.objects.exists() and not Attachment.objects.exists()


def test_upload_replaces_a_single_file_kind_and_the_old_file_stays_in_the_library():
    application = ApplicationFactory()
    first = upload(application)
    second = upload(application, file=jpeg_file(color=(10, 200, 10)))
    assert list(application.attachments.values_list("pk", flat=True)) == [second.pk]
    assert LibraryDocument.objects.filter(owner=application.applicant).count() == 2
    assert LibraryDocument.objects.filter(pk=first.document_id).exists()


def test_multi_file_kinds_accumulate_but_the_same_file_is_kept_once():
    application = ApplicationFactory()
    upload(application, kind=AttachmentKind.OTHER, file=jpeg_file(color=(1, 2, 3)))
    upload(application, kind=AttachmentKind.OTHER, file=jpeg_file(color=(200, 2, 3)))
    upload(application, kind=AttachmentKind.OTHER, file=jpeg_file(color=(200, 2, 3)))
    assert application.attachments.filter(kind=AttachmentKind.OTHER).count() == 2
    assert LibraryDocument.objects.filter(owner=application.applicant).count() == 2


def test_unknown_kind_is_refused():
    application = ApplicationFactory()
    with pytest.raises(ValidationError):
        upload(application, kind="passport_photo")


def test_library_document_is_reused_in_a_later_application():
    old = ApplicationFactory(submitted=True, status=Status.REJECTED)
    earlier = upload_library_document(old.applicant, AttachmentKind.HOUSEHOLD_REGISTER)
    new = ApplicationFactory(applicant=old.applicant)
    attachment = services.attachment_from_library(
        application=new, kind=AttachmentKind.HOUSEHOLD_REGISTER, document=earlier, by=new.applicant
    )
    assert attachment.document == earlier and attachment.application == new


def upload_library_document(owner, kind):
    return LibraryDocumentFactory(owner=owner, kind=kind)


def test_someone_elses_library_document_cannot_be_used():
    application = ApplicationFactory()
    foreign = upload_library_document(UserFactory(), AttachmentKind.ID_CARD)
    with pytest.raises(PermissionDenied):
        services.attachment_from_library(
            application=application, kind=AttachmentKind.ID_CARD, document=foreign, by=application.applicant
        )
    assert not application.attachments.exists()


def test_library_document_of_another_kind_cannot_be_used():
    application = ApplicationFactory()
    document = upload_library_document(application.applicant, AttachmentKind.ID_CARD)
    with pytest.raises(ValidationError) as info:
        services.attachment_from_library(
            application=application,
            kind=AttachmentKind.SPOUSE_ID,
            document=document,
            by=application.applicant,
        )
    assert "身份证" in info.value.messages[0]


def test_delete_removes_the_attachment_but_keeps_the_library_document():
    application = ApplicationFactory()
    attachment = upload(application)
    services.attachment_delete(attachment=attachment, by=application.applicant)
    assert not application.attachments.exists()
    assert LibraryDocument.objects.filter(pk=attachment.document_id).exists()


@pytest.mark.parametrize(
    "status", [Status.SUBMITTED, Status.UNDER_REVIEW, Status.IN_NOTICE, Status.PUBLISHED]
)
def test_attachments_are_frozen_after_submission(status):
    application = ApplicationFactory(submitted=True, status=status)
    attachment = AttachmentFactory(application=application)
    with pytest.raises(services.ApplicationNotEditable):
        upload(application)
    with pytest.raises(services.ApplicationNotEditable):
        services.attachment_delete(attachment=attachment, by=application.applicant)
    with pytest.raises(services.ApplicationNotEditable):
        services.attachment_from_library(
            application=application,
            kind=attachment.kind,
            document=attachment.document,
            by=application.applicant,
        )
    assert list(application.attachments.all()) == [attachment]


def test_attachments_step_lists_every_missing_attachment_at_once():
    application = ApplicationFactory(
        completed_steps=["commitment", "declaration", "category", "personal", "family"]
    )
    upload(application)
    with pytest.raises(ValidationError) as info:
        services.application_attachments_complete(application=application, by=application.applicant)
    assert info.value.messages == [
        "未上传必传附件“户口簿”。",
        "未上传必传附件“本人学历证书”。",
        "未上传必传附件“本人学历鉴定”。",
        "未上传必传附件“本人学位证书”。",
        "未上传必传附件“本人学位鉴定”。",
    ]
    application.refresh_from_db()
    assert "attachments" not in application.completed_steps


def test_library_document_in_use_cannot_be_deleted_but_an_unused_one_can(django_capture_on_commit_callbacks):
    application = ApplicationFactory()
    used = upload(application).document
    with pytest.raises(services.ApplicationError):
        services.library_document_delete(document=used, by=application.applicant)
    unused = upload_library_document(application.applicant, AttachmentKind.OTHER)
    stored = unused.file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.library_document_delete(document=unused, by=application.applicant)
    assert not LibraryDocument.objects.filter(pk=unused.pk).exists()
    assert not unused.file.storage.exists(stored)
    with pytest.raises(PermissionDenied):
        services.library_document_delete(document=used, by=UserFactory())
