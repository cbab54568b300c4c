"""The private file store: attachments, card PDFs and licences, never reachable by a public URL."""

from django.core.files.storage import storages


def private_storage():
    # A callable keeps the storage out of migrations and lets test settings move it.
    return storages["private"]
