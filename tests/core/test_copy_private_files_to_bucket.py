"""`manage.py copy_private_files_to_bucket`: a local folder's private files into the bucket (the moto
server), verified, idempotent and resumable; a dry run writes nothing."""

import hashlib
import io

import pytest
from django.core.management import CommandError, call_command

from core.management.commands import copy_private_files_to_bucket as command
from tests.factories import jpeg_bytes

FILES = {
    "library/2026/a.jpg": jpeg_bytes(640, 480),
    "library/2026/b.jpg": jpeg_bytes(700, 500, quality=70),
    "cards/2026/c.pdf": b"%PDF-1.7\n% a card\n%%EOF\n",
    "business_licences/d.jpg": jpeg_bytes(900, 600),
}


@pytest.fixture
def folder(tmp_path):
    for name, data in FILES.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return tmp_path


def copy(folder, *args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("copy_private_files_to_bucket", "--source", str(folder), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_copies_every_file_under_its_own_name_with_its_checksum_and_a_progress_bar(bucket, folder):
    out, err = copy(folder)
    assert bucket.keys() == sorted(FILES)
    for name, data in FILES.items():
        assert bucket.read(name) == data
        meta = bucket.client.head_object(Bucket=bucket.name, Key=name)
        assert meta["Metadata"]["sha256"] == hashlib.sha256(data).hexdigest()
        assert meta["ETag"].strip('"') == hashlib.md5(data, usedforsecurity=False).hexdigest()
    assert "已复制并核对 4 个，已存在且相同跳过 0 个" in out and "全部私有文件已在存储桶中" in out
    assert "复制私有文件" in err and "100%" in err and "4/4" in err  # tqdm's bar


def test_a_second_run_copies_nothing(bucket, folder, monkeypatch):
    copy(folder)
    uploads = []
    real_upload = command.upload
    monkeypatch.setattr(command, "upload", lambda *a, **k: uploads.append(a) or real_upload(*a, **k))
    out, _ = copy(folder)
    assert uploads == []
    assert "已复制并核对 0 个，已存在且相同跳过 4 个" in out


def test_an_interrupted_run_resumes_where_it_stopped(bucket, folder, monkeypatch):
    real_upload, calls = command.upload, []

    def upload_then_die(client, bucket_name, key, path, local):
        if len(calls) == 2:
            raise ConnectionError("the network went away")
        calls.append(key)
        real_upload(client, bucket_name, key, path, local)

    monkeypatch.setattr(command, "upload", upload_then_die)
    with pytest.raises(ConnectionError):
        copy(folder, "--no-progress")
    assert bucket.keys() == sorted(calls) and len(calls) == 2

    monkeypatch.setattr(command, "upload", real_upload)
    out, _ = copy(folder, "--no-progress")
    assert "已复制并核对 2 个，已存在且相同跳过 2 个" in out
    assert {name: bucket.read(name) for name in bucket.keys()} == FILES


def test_objects_the_portal_wrote_itself_are_recognised_by_their_etag(bucket, folder):
    from django.core.files.base import ContentFile

    # Written through the storage (no SHA-256 in its metadata), as the portal writes in bucket mode.
    assert (
        bucket.storage.save("cards/2026/c.pdf", ContentFile(FILES["cards/2026/c.pdf"])) == "cards/2026/c.pdf"
    )
    out, _ = copy(folder, "--no-progress")
    assert "已复制并核对 3 个，已存在且相同跳过 1 个" in out


def test_a_different_object_of_the_same_name_is_reported_not_overwritten(bucket, folder):
    bucket.client.put_object(Bucket=bucket.name, Key="library/2026/a.jpg", Body=b"something else")
    with pytest.raises(CommandError, match="有文件未能复制到存储桶"):
        copy(folder, "--no-progress")
    assert bucket.read("library/2026/a.jpg") == b"something else"
    assert set(bucket.keys()) == set(FILES)

    out, _ = copy(folder, "--no-progress", "--replace-different")
    assert bucket.read("library/2026/a.jpg") == FILES["library/2026/a.jpg"]
    assert "已复制并核对 1 个，已存在且相同跳过 3 个" in out


def test_an_object_that_does_not_read_back_the_same_fails_the_run(bucket, folder, monkeypatch):
    """What the bucket holds is read back after each upload; a server that kept other bytes (here:
    one byte short, under the right metadata) is caught, named, and the run fails."""

    def short_upload(client, bucket_name, key, path, local):
        client.put_object(
            Bucket=bucket_name, Key=key, Body=path.read_bytes()[:-1], Metadata={"sha256": local.sha256}
        )

    monkeypatch.setattr(command, "upload", short_upload)
    out = io.StringIO()
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "copy_private_files_to_bucket", "--source", str(folder), "--no-progress", stdout=out, stderr=err
        )
    assert err.getvalue().count("核对失败") == 4
    assert "核对失败 4 个" in out.getvalue()


def test_a_dry_run_lists_what_it_would_copy_and_writes_nothing(bucket, folder):
    out, _ = copy(folder, "--dry-run", "--no-progress")
    assert bucket.keys() == []
    assert "试运行：将复制 4 个" in out
    for name in FILES:
        assert f"将复制：{name}" in out


def test_without_a_bucket_it_says_what_to_set():
    with pytest.raises(CommandError, match="未设置 PRIVATE_STORAGE_BUCKET"):
        call_command("copy_private_files_to_bucket", stdout=io.StringIO())
