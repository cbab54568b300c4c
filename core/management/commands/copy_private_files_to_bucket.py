"""`manage.py copy_private_files_to_bucket`: the local folder's private files into the bucket.

For moving an installation from PRIVATE_MEDIA_ROOT to PRIVATE_STORAGE_BUCKET (docs/operations.md,
"Private files in a bucket"). Each file becomes the object of the same name, so the names stored in
the database stay valid. Run it again as often as needed: an object already there with the same size
and checksum is skipped, so an interrupted run resumes where it stopped. Every object written is read
back (HEAD) and compared: size, the SHA-256 kept in its metadata and, for a single-part upload, its
ETag (the MD5 of the body, which the server also checks on receipt through Content-MD5).
"""

from __future__ import annotations

import base64
import hashlib
import mimetypes
import posixpath
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from botocore.exceptions import ClientError
from django.conf import settings
from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from core.storage_bucket import PrivateBucketStorage

SHA256_KEY = "sha256"  # x-amz-meta-sha256
MD5_ETAG = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True)
class Digest:
    size: int
    md5: str
    sha256: str


@dataclass(frozen=True)
class Remote:
    size: int
    etag: str
    sha256: str | None


def digest(path: Path) -> Digest:
    md5, sha256, size = hashlib.md5(usedforsecurity=False), hashlib.sha256(), 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            md5.update(block)
            sha256.update(block)
            size += len(block)
    return Digest(size=size, md5=md5.hexdigest(), sha256=sha256.hexdigest())


def head(client, bucket: str, key: str) -> Remote | None:
    try:
        answer = client.head_object(Bucket=bucket, Key=key)
    except ClientError as exc:
        if exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
            return None
        raise
    return Remote(
        size=answer["ContentLength"],
        etag=answer.get("ETag", "").strip('"'),
        sha256=answer.get("Metadata", {}).get(SHA256_KEY),
    )


def same(local: Digest, remote: Remote) -> bool:
    """The object holds the file's bytes: same size, and every checksum it carries agrees.

    A single-part ETag is the MD5 the server computed of what it received; the SHA-256 in the
    metadata is the one this command sent. A multipart or encrypted object's ETag is no MD5, and one
    the portal wrote itself has no SHA-256: each is judged by the checksum it has; with neither, it
    counts as different."""
    if remote.size != local.size:
        return False
    checks = []
    if MD5_ETAG.fullmatch(remote.etag):
        checks.append(remote.etag == local.md5)
    if remote.sha256:
        checks.append(remote.sha256 == local.sha256)
    return bool(checks) and all(checks)


def upload(client, bucket: str, key: str, path: Path, local: Digest) -> None:
    with path.open("rb") as handle:
        client.put_object(
            Bucket=bucket,
            Key=key,
            Body=handle,
            ContentLength=local.size,
            # The server refuses the body if it does not hash to this (BadDigest): nothing half-sent stays.
            ContentMD5=base64.b64encode(bytes.fromhex(local.md5)).decode(),
            ContentType=mimetypes.guess_type(path.name)[0] or "application/octet-stream",
            Metadata={SHA256_KEY: local.sha256},
        )


class Command(BaseCommand):
    help = (
        "把本地私有文件目录（PRIVATE_MEDIA_ROOT）中的文件复制到私有文件存储桶（PRIVATE_STORAGE_BUCKET），"
        "同名对象，逐个核对大小和校验和；可重复执行，存储桶中已有且相同的文件跳过。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--source", type=Path, default=None, help="本地私有文件目录，默认为 PRIVATE_MEDIA_ROOT。"
        )
        parser.add_argument("--dry-run", action="store_true", help="只列出将要复制的文件，不写入存储桶。")
        parser.add_argument(
            "--replace-different",
            action="store_true",
            help="存储桶中已有同名但内容不同的对象时，用本地文件覆盖（默认不覆盖并报告）。",
        )
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条。")

    def handle(self, *args, source, dry_run, replace_different, no_progress, **options):
        storage = storages["private"]
        if not isinstance(storage, PrivateBucketStorage):
            raise CommandError(
                "未设置 PRIVATE_STORAGE_BUCKET：私有文件仍存放在本地目录，没有可复制到的存储桶。"
                "请先设置 PRIVATE_STORAGE_BUCKET、AWS_S3_ENDPOINT_URL、AWS_ACCESS_KEY_ID、"
                "AWS_SECRET_ACCESS_KEY 和 AWS_S3_REGION_NAME。"
            )
        source = Path(source or settings.PRIVATE_MEDIA_ROOT).resolve()
        if not source.is_dir():
            raise CommandError(f"本地私有文件目录 {source} 不存在。")
        # Symbolic links are left alone: one could point outside the folder.
        files = sorted(p for p in source.rglob("*") if p.is_file() and not p.is_symlink())
        client, bucket = storage.connection.meta.client, storage.bucket_name
        self.stdout.write(
            f"{'试运行：' if dry_run else ''}{source} → 存储桶 {bucket}：{len(files)} 个文件，"
            f"共 {sum(p.stat().st_size for p in files)} 字节。"
        )
        counts: Counter[str] = Counter()
        with tqdm(
            total=len(files),
            unit="个",
            desc="复制私有文件",
            file=self.stderr._out,
            disable=no_progress,
            dynamic_ncols=True,
        ) as bar:
            for path in files:
                name = path.relative_to(source).as_posix()
                key = posixpath.join(storage.location, name) if storage.location else name
                counts[self._one(client, bucket, key, path, dry_run=dry_run, replace=replace_different)] += 1
                bar.update(1)

        summary = (
            f"已复制并核对 {counts['copied']} 个，已存在且相同跳过 {counts['same']} 个，"
            f"内容不同未覆盖 {counts['different']} 个，核对失败 {counts['failed']} 个"
        )
        if dry_run:
            summary = f"试运行：将复制 {counts['would_copy']} 个，" + summary.split("，", 1)[1]
        self.stdout.write(summary + "。")
        if counts["different"] or counts["failed"]:
            raise CommandError(
                "有文件未能复制到存储桶（见上面的列表）；处理后可再次运行本命令，已复制的文件会被跳过。"
            )
        if not dry_run:
            self.stdout.write(self.style.SUCCESS("全部私有文件已在存储桶中，大小和校验和一致。"))

    def _one(self, client, bucket: str, key: str, path: Path, *, dry_run: bool, replace: bool) -> str:
        local = digest(path)
        remote = head(client, bucket, key)
        if remote is not None and same(local, remote):
            return "same"
        if remote is not None and not replace:
            self.stderr.write(
                f"内容不同，未覆盖：{key}（存储桶中 {remote.size} 字节，本地 {local.size} 字节）。"
                "确认以本地文件为准时加 --replace-different。"
            )
            return "different"
        if dry_run:
            self.stdout.write(f"将复制：{key}（{local.size} 字节）")
            return "would_copy"
        upload(client, bucket, key, path, local)
        written = head(client, bucket, key)
        if written is None or not same(local, written):
            self.stderr.write(self.style.ERROR(f"核对失败：{key} 在存储桶中的大小或校验和与本地文件不一致。"))
            return "failed"
        return "copied"
