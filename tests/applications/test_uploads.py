"""core.uploads.check_jpeg: each bad file is refused with its own message; real JPEGs pass clean."""

import io
import struct

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.uploads import MAX_UPLOAD_BYTES, check_jpeg, strip_jpeg_metadata
from tests.factories import jpeg_bytes


def upload(data: bytes, name: str = "scan.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def refusal(data: bytes, name: str = "scan.jpg") -> ValidationError:
    with pytest.raises(ValidationError) as info:
        check_jpeg(upload(data, name))
    return info.value


def image_bytes(fmt: str, size=(400, 300), **save) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, fmt, **save)
    return buffer.getvalue()


def with_comment_padding(data: bytes, total: int) -> bytes:
    """Grow a real JPEG to exactly `total` bytes with COM segments right after SOI."""
    missing = total - len(data)
    segments = bytearray()
    while missing > 0:
        # A segment costs 4 bytes of header; its payload is at most 65533 bytes.
        payload = min(missing - 4, 65533)
        if payload < 0:
            raise ValueError("cannot pad by fewer than 4 bytes")
        if missing - (payload + 4) in (1, 2, 3):  # leave room for one more whole segment
            payload -= 4
        segments += b"\xff\xfe" + struct.pack(">H", payload + 2) + b"c" * payload
        missing -= payload + 4
    return data[:2] + bytes(segments) + data[2:]


def exif_with_gps(orientation: int = 1) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0131] = "CameraApp 1.0"  # Software
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (23.0, 7.0, 30.0)
    return exif.tobytes()


# --- refusals, each with its own reason ---------------------------------------------------------


def test_empty_file_is_refused_as_empty():
    error = refusal(b"")
    assert error.code == "empty"
    assert "文件为空" in error.messages[0]


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (image_bytes("PNG"), "PNG图片"),
        (image_bytes("GIF"), "GIF图片"),
        (image_bytes("BMP"), "BMP图片"),
        (image_bytes("WEBP"), "WebP图片"),
        (b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", "PDF文件"),
        (b"<!DOCTYPE html><html><script>alert(1)</script></html>", "网页或SVG文件"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "网页或SVG文件"),
        (b"PK\x03\x04" + b"\x00" * 40, "压缩文件或Office文档"),
        (b"MZ\x90\x00" + b"\x00" * 60, "非图片文件"),
    ],
)
def test_renamed_files_are_refused_by_content_not_name(data, kind):
    error = refusal(data, name="身份证.jpg")
    assert error.code == "not_jpeg"
    assert kind in error.messages[0]
    assert "与文件扩展名无关" in error.messages[0]


def test_truncated_jpeg_is_refused_as_corrupt():
    data = jpeg_bytes(800, 600)
    error = refusal(data[: len(data) // 2])
    assert error.code == "corrupt"
    assert "损坏或不完整" in error.messages[0]


def test_jpeg_header_followed_by_garbage_is_refused_as_corrupt():
    error = refusal(b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF\x00" + b"\x13" * 2000)
    assert error.code == "corrupt"


def _patch_dimensions(data: bytes, width: int, height: int) -> bytes:
    """Rewrite the SOF0 frame header's size: a small file that claims a huge image."""
    sof = data.index(b"\xff\xc0")
    return data[: sof + 5] + struct.pack(">HH", height, width) + data[sof + 9 :]


def test_decompression_bomb_is_refused_before_decoding():
    # 60000 × 60000 = 3.6 gigapixels claimed by a file of a few KB: Pillow's own bomb check fires.
    bomb = _patch_dimensions(jpeg_bytes(200, 200), 60000, 60000)
    assert len(bomb) < 20_000
    error = refusal(bomb)
    assert error.code == "bomb"
    assert "异常" in error.messages[0]


def test_image_over_the_pixel_budget_below_pillows_limit_is_refused_as_a_bomb():
    # 8000 × 8000 = 64 MP: under Pillow's 89 MP warning threshold, over our 40 MP budget.
    error = refusal(_patch_dimensions(jpeg_bytes(200, 200), 8000, 8000))
    assert error.code == "bomb"
    assert "8000×8000" in error.messages[0]


def test_absurdly_long_side_is_refused():
    error = refusal(_patch_dimensions(jpeg_bytes(200, 200), 12000, 2000))
    assert error.code == "too_big_dimensions"
    assert "12000×2000" in error.messages[0]


def test_absurd_aspect_ratio_is_refused():
    error = refusal(jpeg_bytes(2400, 120))
    assert error.code == "odd_ratio"
    assert "长宽比例异常" in error.messages[0]


def test_tiny_image_is_refused():
    error = refusal(jpeg_bytes(60, 40))
    assert error.code == "too_small_dimensions"
    assert "60×40" in error.messages[0]


def test_file_over_500_kb_is_refused_with_its_size():
    data = with_comment_padding(jpeg_bytes(800, 600), MAX_UPLOAD_BYTES + 1)
    assert len(data) == MAX_UPLOAD_BYTES + 1
    error = refusal(data)
    assert error.code == "too_large"
    assert "500KB" in error.messages[0]
    assert "500.0KB" in error.messages[0]


def test_declared_size_is_not_trusted():
    data = with_comment_padding(jpeg_bytes(800, 600), MAX_UPLOAD_BYTES + 10)
    lying = upload(data)
    lying.size = 1000  # a client-supplied size that lies
    with pytest.raises(ValidationError) as info:
        check_jpeg(lying)
    assert info.value.code == "too_large"


# --- acceptance -------------------------------------------------------------------------------


def test_real_jpeg_of_exactly_500_kb_is_accepted():
    data = with_comment_padding(jpeg_bytes(1200, 900), MAX_UPLOAD_BYTES)
    assert len(data) == 500 * 1024
    checked = check_jpeg(upload(data))
    assert (checked.width, checked.height) == (1200, 900)
    # The padding (COM segments) is metadata: the stored copy is smaller and decodes the same.
    assert checked.size < MAX_UPLOAD_BYTES
    assert b"\xff\xfe" not in checked.content[: checked.content.index(b"\xff\xda")]
    assert Image.open(io.BytesIO(checked.content)).tobytes() == Image.open(io.BytesIO(data)).tobytes()


def test_progressive_and_greyscale_jpegs_are_accepted():
    progressive = check_jpeg(upload(jpeg_bytes(900, 700, progressive=True)))
    assert progressive.width == 900
    grey = io.BytesIO()
    Image.new("L", (500, 700), 128).save(grey, "JPEG")
    assert check_jpeg(upload(grey.getvalue())).height == 700


def test_cmyk_scan_is_accepted():
    buffer = io.BytesIO()
    Image.new("CMYK", (640, 480), (0, 80, 160, 20)).save(buffer, "JPEG")
    checked = check_jpeg(upload(buffer.getvalue()))
    assert Image.open(io.BytesIO(checked.content)).mode == "CMYK"


def test_exif_with_gps_is_stripped_and_pixels_are_kept():
    data = jpeg_bytes(800, 600, exif=exif_with_gps())
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)
    checked = check_jpeg(upload(data))
    stored = Image.open(io.BytesIO(checked.content))
    assert len(stored.getexif()) == 0
    assert b"PhoneMaker" not in checked.content and b"Exif" not in checked.content
    assert stored.tobytes() == Image.open(io.BytesIO(data)).tobytes()
    assert checked.sha256 and checked.size == len(checked.content)


def test_rotated_phone_photo_is_turned_upright_without_exif():
    # Orientation 6: the camera held sideways; the stored copy is upright and has no EXIF at all.
    data = jpeg_bytes(800, 600, exif=exif_with_gps(orientation=6))
    checked = check_jpeg(upload(data))
    assert (checked.width, checked.height) == (600, 800)
    stored = Image.open(io.BytesIO(checked.content))
    assert stored.size == (600, 800)
    assert len(stored.getexif()) == 0
    assert b"PhoneMaker" not in checked.content


def test_data_appended_after_the_image_is_cut_off():
    # A JPEG with a ZIP (or a script) glued behind it: the image passes, the payload is dropped.
    data = jpeg_bytes(600, 400) + b"PK\x03\x04" + b"<script>alert(1)</script>" * 20
    checked = check_jpeg(upload(data))
    assert checked.content.endswith(b"\xff\xd9")
    assert b"<script>" not in checked.content and b"PK\x03\x04" not in checked.content


def test_icc_profile_is_kept():
    from PIL import ImageCms

    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = jpeg_bytes(640, 480, icc_profile=profile)
    checked = check_jpeg(upload(data))
    assert Image.open(io.BytesIO(checked.content)).info.get("icc_profile") == profile


def test_strip_refuses_a_jpeg_without_end_marker():
    data = jpeg_bytes(300, 300)
    with pytest.raises(ValidationError) as info:
        strip_jpeg_metadata(data[:-2])
    assert info.value.code == "corrupt"
