"""The private file store: attachments, card PDFs and licences, never reachable by a public URL."""

import grp
import logging
import os
import stat
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages

logger = logging.getLogger(__name__)


def private_storage():
    # A callable keeps the storage out of migrations and lets test settings move it.
    return storages["private"]


def private_media_gid(group: str) -> int:
    """PRIVATE_MEDIA_GROUP, a group name or number, as a number (KeyError if there is no such group)."""
    return int(group) if group.isdigit() else grp.getgrnam(group).gr_gid


class PrivateFileStorage(FileSystemStorage):
    """Files on disk that nginx can send (X-Accel-Redirect) and nobody else can read.

    nginx's workers run as their own unprivileged user, not as the web user that wrote the files.
    With PRIVATE_MEDIA_GROUP set (docker-compose: portal-files, which the web user and nginx's
    workers both belong to), every saved file and the directories above it up to the storage root
    are given that group: files FILE_UPLOAD_PERMISSIONS (0640), directories group-readable and
    set-group-ID so whatever else lands in them (a restored backup) inherits the group. Set
    explicitly rather than left to the set-group-ID bit: an upload over 1 MB is moved in from a
    temporary file and keeps the group it was created with.
    """

    def _save(self, name, content):
        name = super()._save(name, content)
        group = settings.PRIVATE_MEDIA_GROUP
        if group:
            self._share(Path(self.path(name)), private_media_gid(group))
        return name

    def _share(self, path: Path, gid: int) -> None:
        os.chown(path, -1, gid)  # the file is ours: failing here is a misconfiguration, shown at once
        root = Path(self.location)
        directory = path.parent
        while directory.is_relative_to(root):
            info = directory.stat()
            wanted = stat.S_IMODE(info.st_mode) | stat.S_ISGID | stat.S_IRGRP | stat.S_IXGRP
            try:
                if info.st_gid != gid:
                    os.chown(directory, -1, gid)
                if stat.S_IMODE(info.st_mode) != wanted:
                    os.chmod(directory, wanted)
            except PermissionError:
                # Not ours (a volume root made by root, say): the upload still succeeds; nginx reads
                # through it if its mode lets it (docs/operations.md tells how to hand it over).
                logger.warning("private files: cannot give %s to group %s", directory, gid)
            if directory == root:
                break
            directory = directory.parent
