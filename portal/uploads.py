"""The upload check for every scan the portal accepts: JPG only, ≤500 KB, judged by content.

Seed: 原件彩色清晰的扫描件或图片（格式：JPG，规格：500KB以下）. A file is accepted only when Pillow
decodes it completely as a JPEG of sane dimensions; the stored copy is re-encoded without EXIF
(phone photos carry GPS positions and camera serials) at the same size budget.
"""

import hashlib
import io
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 500 * 1024
MIN_SIDE = 100  # smaller than a thumbnail cannot show a document legibly
MAX_SIDE = 10_000
MAX_PIXELS = 40_000_000  # 40 MP, far above any scanner setting used for documents

_SIGNATURES = {
    b"\x89PNG": "PNG图片",
    b"GIF8": "GIF图片",
    b"%PDF": "PDF文件",
    b"BM": "BMP图片",
    b"II*\x00": "TIFF图片",
    b"MM\x00*": "TIFF图片",
    b"RIFF": "WebP图片",
    b"PK\x03\x04": "压缩文件或Office文档",
}


@dataclass(frozen=True)
class CheckedJpeg:
    content: bytes  # what is stored: the decoded image re-encoded as JPEG, no metadata
    width: int
    height: int
    size: int
    sha256: str


def _describe_non_jpeg(head: bytes) -> str:
    for signature, label in _SIGNATURES.items():
        if head.startswith(signature):
            return label
    stripped = head.lstrip().lower()
    if stripped.startswith((b"<!doctype html", b"<html", b"<svg", b"<?xml", b"<script")):
        return "网页或SVG文件"
    return "非图片文件"


def _read_limited(uploaded, max_bytes: int) -> bytes:
    size = getattr(uploaded, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(
            f"文件大小为{size / 1024:.1f}KB，超过{max_bytes // 1024}KB的限制，请压缩后重新上传。", code="too_large"
        )
    if hasattr(uploaded, "seek"):
        uploaded.seek(0)
    data = uploaded.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValidationError(
            f"文件大小超过{max_bytes // 1024}KB的限制，请压缩后重新上传。", code="too_large"
        )
    return data


def check_jpeg(uploaded, *, max_bytes: int = MAX_UPLOAD_BYTES) -> CheckedJpeg:
    """Return the cleaned JPEG or raise ValidationError saying why the file is refused."""
    data = _read_limited(uploaded, max_bytes)
    if not data:
        raise ValidationError("文件为空，请重新选择要上传的图片。", code="empty")
    if not data.startswith(b"\xff\xd8\xff"):
        kind = _describe_non_jpeg(data[:16])
        raise ValidationError(f"只能上传JPG格式的图片，该文件实际是{kind}（与扩展名无关）。", code="not_jpeg")

    try:
        with warnings.catch_warnings():
            # Pillow only warns between 1x and 2x MAX_IMAGE_PIXELS (PITFALLS.md): make it an error.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format != "JPEG":
                raise ValidationError("只能上传JPG格式的图片。", code="not_jpeg")
            width, height = image.size
            # Check dimensions from the header before decoding a single pixel.
            if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
                raise ValidationError(
                    f"图片尺寸{width}×{height}像素过大（单边不超过{MAX_SIDE}像素），请调整后重新上传。",
                    code="too_big_dimensions",
                )
            if min(width, height) < MIN_SIDE:
                raise ValidationError(
                    f"图片尺寸{width}×{height}像素过小，无法看清证件内容，请上传清晰的扫描件或照片。",
                    code="too_small_dimensions",
                )
            # Decode every entropy-coded block (a truncated file fails here), at 1/8 scale via
            # DCT scaling: the whole stream is read but the work is a fraction of a full decode.
            image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
            image.load()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationError("图片像素数量异常，已拒绝上传。", code="bomb") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ValidationError("图片文件已损坏或不完整，无法打开，请重新扫描或拍照后上传。", code="corrupt") from exc

    orientation = image.getexif().get(0x0112, 1)
    if orientation in (None, 1):
        cleaned = strip_jpeg_metadata(data)  # lossless: the scan's pixels stay exactly as uploaded
    else:
        cleaned = _reencode_upright(data, max_bytes=max_bytes)
        width, height = Image.open(io.BytesIO(cleaned)).size
    return CheckedJpeg(
        content=cleaned,
        width=width,
        height=height,
        size=len(cleaned),
        sha256=hashlib.sha256(cleaned).hexdigest(),
    )


# Segments kept: APP0 (JFIF), APP2 only when it is an ICC colour profile, APP14 (Adobe: needed to
# read CMYK scans right), and every non-APP segment (tables, frame header). Dropped: APP1 (EXIF,
# XMP), APP3–APP13, APP15 and COM, where cameras and editors put GPS, serials and thumbnails.
_DROP_MARKERS = {0xE1, *range(0xE3, 0xEE), 0xEF, 0xFE}


def strip_jpeg_metadata(data: bytes) -> bytes:
    out = bytearray(data[:2])
    i = 2
    length_total = len(data)
    while i + 4 <= length_total:
        if data[i] != 0xFF:
            raise ValidationError("图片文件结构异常，无法打开。", code="corrupt")
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker == 0xDA:  # start of scan: the rest is image data
            out += data[i:]
            return bytes(out)
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            out += data[i : i + 2]
            i += 2
            continue
        segment_length = int.from_bytes(data[i + 2 : i + 4], "big")
        segment = data[i : i + 2 + segment_length]
        keep = marker not in _DROP_MARKERS and not (marker == 0xE2 and not segment[4:15] == b"ICC_PROFILE")
        if keep:
            out += segment
        i += 2 + segment_length
    raise ValidationError("图片文件已损坏或不完整，无法打开。", code="corrupt")


def _reencode_upright(data: bytes, *, max_bytes: int) -> bytes:
    # The camera's rotation lives in EXIF, which is removed: apply it to the pixels instead
    # (a full-size decode this time; the check above decoded at reduced scale).
    image = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    for quality in (92, 85, 75, 65, 50):
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=quality)
        if buffer.tell() <= max_bytes or quality == 50:
            return buffer.getvalue()
    raise AssertionError("unreachable")
