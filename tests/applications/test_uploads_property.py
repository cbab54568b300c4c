"""Property-based: whatever bytes arrive, check_jpeg answers with a CheckedJpeg or a ValidationError
(a message for the user), never another exception (a server error)."""

import io

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from core.uploads import MAX_UPLOAD_BYTES, check_jpeg
from tests.factories import jpeg_bytes

BASE = jpeg_bytes(240, 180, quality=80)
BASE_PROGRESSIVE = jpeg_bytes(200, 160, quality=70, progressive=True)
SOI = b"\xff\xd8\xff"
CLEAN_BASE = check_jpeg(SimpleUploadedFile("x.jpg", BASE)).content


def _judge(data: bytes) -> None:
    try:
        checked = check_jpeg(SimpleUploadedFile("x.jpg", data, content_type="image/jpeg"))
    except ValidationError as exc:
        assert exc.messages and all(message for message in exc.messages)
        assert exc.code in {
            "too_large",
            "empty",
            "not_jpeg",
            "bomb",
            "too_big_dimensions",
            "too_small_dimensions",
            "odd_ratio",
            "corrupt",
        }
        return
    # Accepted: what is stored is itself a JPEG that decodes, within the limit, with no EXIF.
    assert checked.size == len(checked.content) <= MAX_UPLOAD_BYTES
    stored = Image.open(io.BytesIO(checked.content))
    assert stored.format in ("JPEG", "MPO")
    stored.load()
    assert len(stored.getexif()) == 0


PROFILE = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROFILE
@given(st.binary(max_size=4096))
def test_random_bytes_never_cause_a_server_error(data):
    _judge(data)


@PROFILE
@given(st.binary(max_size=2048))
def test_random_bytes_behind_a_jpeg_signature_never_cause_a_server_error(data):
    _judge(SOI + data)


@st.composite
def mutated_jpeg(draw):
    """A real JPEG with a few bytes changed, cut short, or with bytes inserted: the hostile cases."""
    data = bytearray(draw(st.sampled_from([BASE, BASE_PROGRESSIVE])))
    for _ in range(draw(st.integers(min_value=1, max_value=8))):
        position = draw(st.integers(min_value=2, max_value=len(data) - 1))
        operation = draw(st.sampled_from(["flip", "cut", "insert"]))
        if operation == "flip":
            data[position] = draw(st.integers(min_value=0, max_value=255))
        elif operation == "cut":
            del data[position : position + draw(st.integers(min_value=1, max_value=64))]
        else:
            data[position:position] = draw(st.binary(min_size=1, max_size=32))
        if len(data) < 8:
            break
    return bytes(data)


@PROFILE
@given(mutated_jpeg())
def test_mutated_jpegs_never_cause_a_server_error(data):
    _judge(data)


@PROFILE
@given(st.binary(max_size=512))
def test_anything_appended_to_a_real_jpeg_is_accepted_and_dropped(tail):
    checked = check_jpeg(SimpleUploadedFile("x.jpg", BASE + tail))
    assert checked.content == CLEAN_BASE
