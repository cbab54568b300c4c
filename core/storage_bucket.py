"""The private file store in an S3-compatible bucket (PRIVATE_STORAGE_BUCKET, config/settings.py).

Kept apart from core.storage so that boto3 is imported only where a bucket is configured.
"""

from storages.backends.s3 import S3Storage


class PrivateBucketStorage(S3Storage):
    """Private files as bucket objects that only the portal's own keys can read.

    The defaults of django-storages suit a public media bucket; each one changed here keeps the
    promises of the local folder (core.storage.PrivateFileStorage):
    - no ACL is sent, so objects stay as private as the bucket (never public-read);
    - a name already taken gets a new one, as on disk: an upload never replaces another file;
    - a file opened for reading is held in memory (SpooledTemporaryFile that never rolls over),
      never spooled to the host's disk; private files are ≤ 500 KB scans and ~100 KB cards;
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

    def url(self, name, parameters=None, expire=None, http_method=None):
        raise NotImplementedError("Private files have no URL; the authorising views stream them.")
