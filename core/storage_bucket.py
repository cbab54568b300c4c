"""The private file store in an S3-compatible bucket (PRIVATE_STORAGE_BUCKET, config/settings.py).

Kept apart from core.storage so that boto3 is imported only where a bucket is configured.
"""

import io

from botocore.exceptions import BotoCoreError, ClientError
from django.core.files.base import File
from storages.backends.s3 import S3Storage
from storages.utils import clean_name


class BucketFile(File):
    """A private file read from the bucket, held in memory. Opened again after it was closed (a
    FieldFile opened twice), it is fetched again."""

    def __init__(self, storage: "PrivateBucketStorage", name: str):
        self._storage = storage
        super().__init__(io.BytesIO(storage.read_bytes(name)), name=name)
        self.mode = "rb"

    def open(self, mode=None):
        if mode not in (None, "rb"):
            raise ValueError("Private files in the bucket are opened for reading only (mode 'rb').")
        if self.closed:
            self.file = io.BytesIO(self._storage.read_bytes(self.name))
        else:
            self.seek(0)
        return self


class PrivateBucketStorage(S3Storage):
    """Private files as bucket objects that only the portal's own keys can read.

    The defaults of django-storages suit a public media bucket; each one changed here keeps the
    promises of the local folder (core.storage.PrivateFileStorage):
    - no ACL is sent, so objects stay as private as the bucket (never public-read);
    - a name already taken gets a new one, as on disk: an upload never replaces another file;
    - a file opened for reading is fetched with one GET and held in memory, never spooled to the
      host's disk (django-storages' own S3File would HEAD it twice before the GET); private files
      are ≤ 500 KB scans and ~100 KB cards;
    - there is no URL: files leave only through the authorising views (core.private_files), so no
      code can hand out a presigned link that a second person could use.
    """

    def get_default_settings(self):
        defaults = super().get_default_settings()
        defaults.update(
            default_acl=None,
            file_overwrite=False,
            max_memory_size=0,
            querystring_auth=True,
            gzip=False,
        )
        return defaults

    def read_bytes(self, name: str) -> bytes:
        key = self._normalize_name(clean_name(name))
        # Faults come out as the local folder's would: a missing object as FileNotFoundError, any
        # other failure of the bucket (no such bucket, access denied, unreachable) as OSError, which
        # the views already report as a storage fault rather than a 500.
        try:
            answer = self.connection.meta.client.get_object(Bucket=self.bucket_name, Key=key)
            with answer["Body"] as body:
                return body.read()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise FileNotFoundError(f"File does not exist: {name}") from exc
            raise OSError(f"bucket {self.bucket_name}: {exc}") from exc
        except BotoCoreError as exc:
            raise OSError(f"bucket {self.bucket_name}: {exc}") from exc

    def _open(self, name, mode="rb"):
        if mode != "rb":
            return super()._open(name, mode)  # S3File, which spools writes in memory too
        return BucketFile(self, name)

    def url(self, name, parameters=None, expire=None, http_method=None):
        raise NotImplementedError("Private files have no URL; the authorising views stream them.")
