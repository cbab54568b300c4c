import pytest

from tests.factories import jpeg_bytes


@pytest.fixture
def jpeg_upload():
    """Returns a function making a fresh in-memory JPEG upload (a new file object each call)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    def make(name="scan.jpg", **kwargs):
        return SimpleUploadedFile(name, jpeg_bytes(**kwargs), content_type="image/jpeg")

    return make
