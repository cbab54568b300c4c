"""Private files in an S3-compatible bucket (PRIVATE_STORAGE_BUCKET): the settings that choose it,
what reaches the bucket, what never reaches the host's disk, and what a copied link gives someone
else. The bucket is a real S3-protocol server (moto, tests/conftest.py `bucket`)."""

import builtins
import io
import json
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from applications.choices import AttachmentKind, Status
from applications.models import Attachment
from hukou_card.models import HukouCard
from hukou_card.signing import card_signer, check_card_signature
from tests import factories
from tests.applications.test_uploads import exif_with_gps
from tests.builders import build_application
from tests.factories import jpeg_bytes
from tests.ops.test_deploy_check import run_manage

pytestmark = pytest.mark.django_db

BUCKET_ENV = {
    "PRIVATE_STORAGE_BUCKET": "portal-private",
    "AWS_S3_ENDPOINT_URL": "http://minio:9000",
    "AWS_ACCESS_KEY_ID": "portal-app",
    "AWS_SECRET_ACCESS_KEY": "a-secret-of-forty-characters-0123456789",
    "AWS_S3_REGION_NAME": "cn-south-1",
}

_SHOW_STORAGE = (
    "import json; from django.conf import settings; from django.core.files.storage import storages; "
    "s = storages['private']; d = storages['default']; "
    "print(json.dumps({'class': type(s).__module__ + '.' + type(s).__name__, 'same': type(d) is type(s), "
    "'bucket': getattr(s, 'bucket_name', None), 'endpoint': getattr(s, 'endpoint_url', None), "
    "'region': getattr(s, 'region_name', None), 'style': getattr(s, 'addressing_style', None), "
    "'acl': getattr(s, 'default_acl', 'n/a'), 'overwrite': getattr(s, 'file_overwrite', None), "
    "'memory': getattr(s, 'max_memory_size', None), 'handlers': getattr(settings, 'FILE_UPLOAD_HANDLERS'), "
    "'max_memory': settings.FILE_UPLOAD_MAX_MEMORY_SIZE, 'body': settings.REQUEST_BODY_MAX_SIZE}))"
)


def _storage_settings(env: dict) -> dict:
    result = run_manage("shell", "-c", _SHOW_STORAGE, env_overrides={"DJANGO_DEBUG": "1", **env})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_named_bucket_takes_every_private_file_and_uploads_stay_in_memory():
    shown = _storage_settings(BUCKET_ENV)
    assert shown["class"] == "core.storage_bucket.PrivateBucketStorage" and shown["same"]
    assert (shown["bucket"], shown["endpoint"], shown["region"]) == (
        "portal-private",
        "http://minio:9000",
        "cn-south-1",
    )
    assert shown["style"] == "path"  # MinIO answers on one host name
    # Private objects, never replaced by a second upload of the same name, read into memory.
    assert (shown["acl"], shown["overwrite"], shown["memory"]) == (None, False, 0)
    assert shown["handlers"] == ["django.core.files.uploadhandler.MemoryFileUploadHandler"]
    assert shown["max_memory"] == shown["body"]


def test_without_a_bucket_the_local_folder_stays_the_default():
    shown = _storage_settings({"PRIVATE_STORAGE_BUCKET": ""})
    assert shown["class"] == "core.storage.PrivateFileStorage" and shown["same"]
    assert "MemoryFileUploadHandler" in shown["handlers"][0] and len(shown["handlers"]) == 2


def test_check_deploy_is_clean_with_a_bucket():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env_overrides=BUCKET_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


# --- nothing private on this host's disk ---------------------------------------------------------


@pytest.fixture
def disk_writes(monkeypatch):
    """Every file this process opens for writing from now on (open(), os.open(), so tempfile too)."""
    written: list[str] = []
    real_open, real_os_open = builtins.open, os.open
    flags_that_write = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC

    def guarded_open(file, mode="r", *args, **kwargs):
        if isinstance(file, str | bytes | os.PathLike) and set(mode) & set("wax+"):
            written.append(os.fsdecode(file))
        return real_open(file, mode, *args, **kwargs)

    def guarded_os_open(path, flags, *args, **kwargs):
        if flags & flags_that_write:
            written.append(os.fsdecode(path))
        return real_os_open(path, flags, *args, **kwargs)

    card_signer()  # the development CA's files are made once per run, before anything is watched
    monkeypatch.setattr(builtins, "open", guarded_open)
    monkeypatch.setattr(io, "open", guarded_open)
    monkeypatch.setattr(os, "open", guarded_os_open)
    return written


def _upload_url(application) -> str:
    return reverse("applications:attachment_upload", kwargs={"public_id": application.public_id})


def test_an_upload_reaches_the_bucket_without_its_exif_and_touches_no_disk(
    bucket, applicant, applicant_client, disk_writes
):
    application = factories.ApplicationFactory(applicant=applicant)
    photo = jpeg_bytes(800, 600, exif=exif_with_gps())
    upload = SimpleUploadedFile("身份证.jpg", photo, content_type="image/jpeg")
    response = applicant_client.post(
        _upload_url(application), {"kind": "id_card", "file": upload}, follow=True
    )
    assert "“身份证”上传成功。" in response.content.decode()

    attachment = application.attachments.get(kind=AttachmentKind.ID_CARD)
    stored = bucket.read(attachment.document.file.name)
    assert b"PhoneMaker" not in stored and len(Image.open(io.BytesIO(stored)).getexif()) == 0
    assert Image.open(io.BytesIO(stored)).tobytes() == Image.open(io.BytesIO(photo)).tobytes()
    assert disk_writes == []


def test_an_upload_near_the_body_limit_is_refused_in_memory_with_its_reason(
    bucket, applicant, applicant_client, disk_writes
):
    """1.5 MB: above the 500 KB of the seed, below the 2 MB body limit. It is read, refused with its
    size at its row, and never spooled to a temporary file (the old 1 MB memory limit did)."""
    application = factories.ApplicationFactory(applicant=applicant)
    big = SimpleUploadedFile("户口簿.jpg", b"\xff\xd8\xff" + b"\0" * 1_500_000, content_type="image/jpeg")
    response = applicant_client.post(_upload_url(application), {"kind": "household_register", "file": big})
    # Refused, then back to the step (post/redirect/get), the reason at its row.
    assert response.status_code == 302
    response = applicant_client.get(response["Location"])
    row = response.content.decode().split('id="kind-household_register"')[1].split("</li>")[0]
    assert "500KB" in row
    assert disk_writes == [] and bucket.keys() == []


def test_the_card_task_renders_and_signs_into_the_bucket_without_touching_the_disk(bucket, disk_writes):
    application = build_application(Status.PUBLISHED)
    card = HukouCard.objects.get(application=application, main_card__isnull=True)
    assert card.pdf.name in bucket.keys()
    assert check_card_signature(bucket.read(card.pdf.name)).ok
    assert disk_writes == []


# --- served only by the authorising views, with the same headers ----------------------------------


def _assert_private_headers(response, disposition: str) -> None:
    assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; img-src 'self'; sandbox"
    assert response["Content-Disposition"].startswith(f"{disposition}; filename*=UTF-8''")
    assert "X-Accel-Redirect" not in response and "Location" not in response


def test_a_copied_link_gives_everyone_else_404_never_the_file(bucket, settings, login_client, client):
    # Even with nginx's internal location configured, a bucket's file is streamed by the view:
    # nginx has no copy of it, and the view's link is the only one there is.
    settings.PRIVATE_MEDIA_X_ACCEL_PREFIX = "/_private"
    application = build_application(Status.SUBMITTED, district="440106")
    attachment = application.attachments.filter(kind=AttachmentKind.ID_CARD).get()
    link = reverse("applications:attachment_preview", args=[attachment.public_id])
    stored = bucket.read(attachment.document.file.name)

    owner = login_client(application.applicant).get(link)
    assert owner.status_code == 200 and owner["Content-Type"] == "image/jpeg"
    assert b"".join(owner.streaming_content) == stored
    _assert_private_headers(owner, "inline")

    reviewer = login_client(factories.ReviewerFactory(district=factories.district("440106"))).get(link)
    assert reviewer.status_code == 200 and b"".join(reviewer.streaming_content) == stored

    for stranger in (
        factories.UserFactory(),
        factories.ReviewerFactory(district=factories.district("440111")),
    ):
        response = login_client(stranger).get(link)
        assert response.status_code == 404
        assert stored not in response.content and bucket.name.encode() not in response.content
    anonymous = client.get(link)
    assert anonymous.status_code == 302 and reverse("accounts:login") in anonymous["Location"]


def test_a_card_from_the_bucket_downloads_with_its_headers_and_only_for_its_holder(bucket, login_client):
    application = build_application(Status.PUBLISHED)
    card = HukouCard.objects.get(application=application, main_card__isnull=True)
    link = reverse("hukou_card:download", args=[card.public_id])
    response = login_client(application.applicant).get(link)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == bucket.read(card.pdf.name)
    _assert_private_headers(response, "attachment")
    assert login_client(factories.UserFactory()).get(link).status_code == 404


def test_a_file_missing_from_the_bucket_is_404_not_500(bucket, login_client):
    application = build_application(Status.SUBMITTED)
    attachment = Attachment.objects.filter(application=application).first()
    bucket.client.delete_object(Bucket=bucket.name, Key=attachment.document.file.name)
    response = login_client(application.applicant).get(
        reverse("applications:attachment_preview", args=[attachment.public_id])
    )
    assert response.status_code == 404


def test_a_private_file_is_read_with_one_request_and_can_be_opened_again(bucket):
    from django.core.files.base import ContentFile

    name = bucket.storage.save("library/2026/scan.jpg", ContentFile(b"\xff\xd8\xff scan"))
    document = factories.LibraryDocumentFactory()
    document.file.name = name
    calls = []
    events = bucket.storage.connection.meta.client.meta.events
    events.register("before-call.s3", lambda model, **_: calls.append(model.name))
    with document.file.open("rb") as handle:
        assert handle.read() == b"\xff\xd8\xff scan"
    assert calls == ["GetObject"]  # not HEAD, HEAD, GET as django-storages' S3File does
    with document.file.open("rb") as handle:  # the same FieldFile, opened again after closing
        assert handle.read() == b"\xff\xd8\xff scan"
    with pytest.raises(ValueError, match="reading only"):
        document.file.open("wb")


def test_a_bucket_that_fails_is_a_storage_fault_at_the_police_desk_not_a_500(bucket, login_client):
    application = build_application(Status.PUBLISHED)
    card = HukouCard.objects.get(application=application, main_card__isnull=True)
    for key in bucket.keys():
        bucket.client.delete_object(Bucket=bucket.name, Key=key)
    bucket.client.delete_bucket(Bucket=bucket.name)  # the bucket itself gone: not "a file missing"
    with pytest.raises(OSError) as raised:
        bucket.storage.open(card.pdf.name)
    assert not isinstance(raised.value, FileNotFoundError)
    response = login_client(factories.PoliceFactory()).get(
        reverse("hukou_card:police_detail", args=[card.public_id])
    )
    assert response.status_code == 200
    assert "入户卡PDF文件无法读取，请联系管理员。" in response.content.decode()


def test_a_bucket_that_fails_answers_503_with_a_message_when_a_file_is_opened(bucket, login_client):
    application = build_application(Status.SUBMITTED)
    attachment = Attachment.objects.filter(application=application).first()
    for key in bucket.keys():
        bucket.client.delete_object(Bucket=bucket.name, Key=key)
    bucket.client.delete_bucket(Bucket=bucket.name)
    response = login_client(application.applicant).get(
        reverse("applications:attachment_preview", args=[attachment.public_id])
    )
    assert response.status_code == 503
    assert "文件暂时无法读取，请稍后再试；如仍无法打开，请联系管理员。" in response.content.decode()
