"""The upload check for every scan the portal accepts: JPG only, ≤500 KB, judged by content.

Seed: 原件彩色清晰的扫描件或图片（格式：JPG，规格：500KB以下）. A file is accepted only when Pillow
decodes it completely as a JPEG of sane dimensions. The stored copy keeps the scan's pixels but
none of its metadata (phone photos carry GPS positions and camera serials) and nothing that was
appended after the image (a ZIP or HTML file glued behind a JPEG, a phone's second MPO frame).
"""

import hashlib
import io
import logging
import re
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 500 * 1024
MIN_SIDE = 100  # smaller than a thumbnail cannot show a document legibly
MAX_SIDE = 10_000
MAX_PIXELS = 40_000_000  # 40 MP, far above any scanner setting used for documents
MAX_ASPECT_RATIO = 10  # a page, a card or a long receipt; not a 10000×100 sliver

_SIGNATURES = {
    b"\x89PNG": _("PNG图片"),
    b"GIF8": _("GIF图片"),
    b"%PDF": _("PDF文件"),
    b"BM": _("BMP图片"),
    b"II*\x00": _("TIFF图片"),
    b"MM\x00*": _("TIFF图片"),
    b"RIFF": _("WebP图片"),
    b"PK\x03\x04": _("压缩文件或Office文档"),
    b"\xd0\xcf\x11\xe0": _("Office文档"),
    b"\x00\x00\x00\x0cjP": _("JPEG 2000图片"),
}
_HEIF_BRANDS = (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftypavif", b"ftypmsf1")


@dataclass(frozen=True)
class CheckedJpeg:
    content: bytes  # what is stored: the same JPEG without metadata or trailing data
    width: int
    height: int
    size: int
    sha256: str


def _describe_non_jpeg(head: bytes) -> str:
    for signature, label in _SIGNATURES.items():
        if head.startswith(signature):
            return str(label)
    if head[4:12] in _HEIF_BRANDS:
        return gettext("HEIC/AVIF图片（请在手机设置中改为“兼容性最佳”格式或转换为JPG）")
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if stripped.startswith((b"<!doctype html", b"<html", b"<svg", b"<?xml", b"<script", b"<head", b"<body")):
        return gettext("网页或SVG文件")
    return gettext("非图片文件")


def _too_large(size: int | None, max_bytes: int) -> ValidationError:
    limit = f"{max_bytes // 1024}KB"
    if size is None:
        return ValidationError(
            gettext("文件大小超过%(limit)s的限制，请压缩后重新上传。") % {"limit": limit}, code="too_large"
        )
    return ValidationError(
        gettext("文件大小为%(size)s，超过%(limit)s的限制，请压缩后重新上传。")
        % {"size": f"{size / 1024:.1f}KB", "limit": limit},
        code="too_large",
    )


def _read_limited(uploaded, max_bytes: int) -> bytes:
    size = getattr(uploaded, "size", None)
    if size is not None and size > max_bytes:
        raise _too_large(size, max_bytes)
    if hasattr(uploaded, "seek"):
        uploaded.seek(0)
    # Never trust the declared size: read at most one byte more than allowed.
    data = uploaded.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _too_large(None, max_bytes)
    return data


def _check_dimensions(width: int, height: int) -> None:
    """Refuse absurd sizes from the header alone, before a single pixel is decoded."""
    if width * height > MAX_PIXELS:
        raise ValidationError(
            gettext(
                "图片声明的尺寸为%(width)s×%(height)s像素（约%(wan)s万像素），"
                "超过%(limit_wan)s万像素的上限，疑似异常构造的文件，已拒绝上传。"
            )
            % {
                "width": width,
                "height": height,
                "wan": f"{width * height / 10_000:.0f}",
                "limit_wan": MAX_PIXELS // 10_000,
            },
            code="bomb",
        )
    if max(width, height) > MAX_SIDE:
        raise ValidationError(
            gettext("图片尺寸%(width)s×%(height)s像素过大（单边不超过%(limit)s像素），请调整后重新上传。")
            % {"width": width, "height": height, "limit": MAX_SIDE},
            code="too_big_dimensions",
        )
    if min(width, height) < MIN_SIDE:
        raise ValidationError(
            gettext(
                "图片尺寸%(width)s×%(height)s像素过小（单边不少于%(limit)s像素），无法看清证件内容，"
                "请上传清晰的扫描件或照片。"
            )
            % {"width": width, "height": height, "limit": MIN_SIDE},
            code="too_small_dimensions",
        )
    if max(width, height) > MAX_ASPECT_RATIO * min(width, height):
        raise ValidationError(
            gettext(
                "图片尺寸%(width)s×%(height)s像素的长宽比例异常（超过%(ratio)s:1），"
                "不是证件的扫描件或照片，请重新上传。"
            )
            % {"width": width, "height": height, "ratio": MAX_ASPECT_RATIO},
            code="odd_ratio",
        )


def check_jpeg(uploaded, *, max_bytes: int = MAX_UPLOAD_BYTES) -> CheckedJpeg:
    """Return the cleaned JPEG or raise ValidationError saying why the file is refused.

    Each refusal has its own code and message: too_large, empty, not_jpeg, bomb,
    too_big_dimensions, too_small_dimensions, odd_ratio, corrupt.
    """
    data = _read_limited(uploaded, max_bytes)
    if not data:
        raise ValidationError(gettext("文件为空（0字节），请重新选择要上传的图片。"), code="empty")
    if not data.startswith(b"\xff\xd8\xff"):
        kind = _describe_non_jpeg(data[:16])
        raise ValidationError(
            gettext(
                "只能上传JPG格式的图片，该文件实际是%(kind)s（与文件扩展名无关），请转换为JPG后重新上传。"
            )
            % {"kind": kind},
            code="not_jpeg",
        )

    _check_frame(data)

    try:
        with warnings.catch_warnings():
            # Pillow only warns between 1x and 2x MAX_IMAGE_PIXELS (PITFALLS.md): make it an error.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            # Phones write MPO (a JPEG followed by more frames); its first frame is a plain JPEG.
            if image.format not in ("JPEG", "MPO"):
                raise ValidationError(
                    gettext("只能上传JPG格式的图片，请转换为JPG后重新上传。"), code="not_jpeg"
                )
            width, height = image.size
            _check_dimensions(width, height)
            # Decode every entropy-coded block (a truncated file fails here), at 1/8 scale via
            # DCT scaling: the whole stream is read but the work is a fraction of a full decode.
            image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
            image.load()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationError(
            gettext("图片声明的像素数量异常巨大，疑似异常构造的文件，已拒绝上传。"), code="bomb"
        ) from exc
    except Exception as exc:  # noqa: BLE001
        # Pillow's parsers raise many exception types (OSError, SyntaxError, struct.error,
        # IndexError...) on hostile input; whichever it is, the file cannot be shown to a reviewer.
        logger.info("JPEG refused as corrupt: %s: %s", type(exc).__name__, exc)
        raise ValidationError(
            gettext("图片文件已损坏或不完整，无法打开，请重新扫描或拍照后上传。"), code="corrupt"
        ) from exc

    if _exif_orientation(image) in (None, 1):
        cleaned = strip_jpeg_metadata(data)  # lossless: the scan's pixels stay exactly as uploaded
    else:
        try:
            # Re-encoded by Pillow, which copies the ICC profile over: the same whitelist applies.
            cleaned = strip_jpeg_metadata(_reencode_upright(data, max_bytes=max_bytes))
            width, height = Image.open(io.BytesIO(cleaned)).size
        except Exception:  # noqa: BLE001 - a rotation tag we cannot apply: keep the pixels as scanned
            cleaned = strip_jpeg_metadata(data)
    # What is stored must itself open as the same picture (a header read, no decode): a structure
    # Pillow tolerated but the cleaning read otherwise is refused, never stored broken.
    try:
        reopened = Image.open(io.BytesIO(cleaned))
        same = reopened.format == "JPEG" and reopened.size == (width, height)
    except Exception:  # noqa: BLE001 - any parser error means the same as a mismatch
        same = False
    if not same:
        raise _corrupt(gettext("图片文件已损坏或不完整，无法打开，请重新扫描或拍照后上传。"))
    return CheckedJpeg(
        content=cleaned,
        width=width,
        height=height,
        size=len(cleaned),
        sha256=hashlib.sha256(cleaned).hexdigest(),
    )


# Huffman-coded baseline, extended and progressive frames: what scanners and phones write and every
# browser shows. Lossless, hierarchical and arithmetic-coded JPEGs do not display in a reviewer's
# browser, and libjpeg "decodes" a mislabelled frame into noise with nothing but a warning.
_DISPLAYABLE_FRAMES = {0xC0, 0xC1, 0xC2}
_OTHER_FRAMES = {0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
_DHT, _DQT = 0xC4, 0xDB


def _check_frame(data: bytes) -> None:
    """The segments before the first scan: a displayable frame type, and the quantisation and
    Huffman tables the interchange format must carry (ITU T.81 B.2.1). Without them libjpeg
    substitutes default tables and an optimised file decodes into garbage without an error."""
    seen: set[int] = set()
    i = 2
    while i + 4 <= len(data) and data[i] == 0xFF:
        marker = data[i + 1]
        if marker == 0xFF:
            i += 1
            continue
        if marker == _SOS:
            break
        seen.add(marker)
        i += 2 + int.from_bytes(data[i + 2 : i + 4], "big")
    if seen & _OTHER_FRAMES:
        raise ValidationError(
            gettext(
                "图片采用了浏览器无法显示的JPEG编码方式（无损、分层或算术编码），"
                "请用手机或扫描仪重新保存为普通JPG后上传。"
            ),
            code="corrupt",
        )
    if seen & _DISPLAYABLE_FRAMES and not {_DHT, _DQT} <= seen:
        raise ValidationError(
            gettext("图片文件缺少解码所需的数据表，无法正确显示，请重新扫描或拍照后上传。"), code="corrupt"
        )


def _exif_orientation(image: Image.Image) -> int | None:
    try:
        return image.getexif().get(0x0112, 1)
    except Exception:  # noqa: BLE001 - unreadable EXIF is dropped anyway; keep the pixels as they are
        return None


# What a baseline or progressive JPEG needs to be decoded, and nothing else (ITU T.81 B.2): the
# frame header, quantisation and Huffman tables, restart interval and the scans. Of the application
# segments only three carry anything a viewer uses, and each is kept in a form that can hold no
# payload: JFIF APP0 rebuilt from its numeric fields (no thumbnail, nothing after them), an ICC
# colour profile (APP2) only when it is exactly a well-formed profile, and Adobe APP14 (needed to
# read CMYK scans right) rebuilt around its colour-transform byte. Everything else goes: APP1
# (EXIF, XMP), other APP0/APP2/APP14 shapes, APP3-APP15, COM, where cameras and editors put GPS,
# serials and thumbnails and where a probe hid HTML. The orientation is applied to the pixels
# before (check_jpeg), so no EXIF is needed for it.
_SOS, _EOI = 0xDA, b"\xff\xd9"
_DRI = 0xDD
_KEPT_MARKERS = {*_DISPLAYABLE_FRAMES, _DHT, _DQT, _DRI}
_BETWEEN_SCANS = {_DHT, _DQT, _DRI}  # T.81 B.2.4: tables may be redefined before each scan
_APP0, _APP2, _APP14 = 0xE0, 0xE2, 0xEE
# Inside entropy-coded data an 0xFF is followed by a stuffed 0x00 or a restart marker (or by fill
# bytes before a marker); any other byte after 0xFF starts a marker.
_NEXT_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
_ICC_CHUNK = b"ICC_PROFILE\x00"
# Markup that a browser (or an old one's sniffer) would read as a page: a profile is binary, so
# any of these is not colour data but something hidden in it. Short tags need a terminator, as in
# the WHATWG sniffing table, so numeric data does not trip them by chance.
_MARKUP = re.compile(
    rb"(?i)<(?:!--|!doctype|\?xml|\?php|(?:script|html|head|body|iframe|frame|object|embed|svg|math|img|"
    rb"style|title|table|div|font|meta|link|base|form|a|b|p|br|h1)[\t\n\x0c\r />])"
)


def _corrupt(message: str | None = None) -> ValidationError:
    return ValidationError(message or gettext("图片文件结构异常，无法打开。"), code="corrupt")


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes((0xFF, marker)) + (len(payload) + 2).to_bytes(2, "big") + payload


def _jfif(payload: bytes) -> bytes:
    """APP0 rebuilt from the JFIF fields (version, density unit, densities), without a thumbnail."""
    if len(payload) < 14 or payload[:5] != b"JFIF\x00":
        return b""
    major, minor, units = payload[5:8]
    x_density, y_density = int.from_bytes(payload[8:10], "big"), int.from_bytes(payload[10:12], "big")
    if major != 1 or minor > 2 or units > 2 or not (1 <= x_density <= 10_000 and 1 <= y_density <= 10_000):
        major, minor, units, x_density, y_density = 1, 1, 0, 1, 1  # no density information: aspect 1:1
    fields = bytes((major, minor, units)) + x_density.to_bytes(2, "big") + y_density.to_bytes(2, "big")
    return _segment(_APP0, b"JFIF\x00" + fields + b"\x00\x00")


def _adobe(payload: bytes) -> bytes:
    """APP14 rebuilt: libjpeg and Pillow read only the transform byte (0 none, 1 YCbCr, 2 YCCK)."""
    if len(payload) < 12 or payload[:5] != b"Adobe" or payload[11] > 2:
        return b""
    return _segment(_APP14, b"Adobe\x00\x64\x00\x00\x00\x00" + payload[11:12])


def _icc_profile_is_clean(chunks: list[bytes]) -> bool:
    """The APP2 chunks (after their ICC_PROFILE tag) are one whole profile and nothing else: every
    chunk numbered once, the header's size equal to the bytes, every tag inside, no markup."""
    count = chunks[0][1] if len(chunks[0]) >= 2 else 0
    if sorted(chunk[0] for chunk in chunks if len(chunk) >= 2) != list(range(1, count + 1)):
        return False
    if any(chunk[1] != count for chunk in chunks):
        return False
    profile = b"".join(chunk[2:] for chunk in sorted(chunks, key=lambda chunk: chunk[0]))
    if len(profile) < 132 or int.from_bytes(profile[:4], "big") != len(profile) or profile[36:40] != b"acsp":
        return False
    tags = int.from_bytes(profile[128:132], "big")
    if 132 + 12 * tags > len(profile):
        return False
    for n in range(tags):
        entry = 132 + 12 * n
        offset = int.from_bytes(profile[entry + 4 : entry + 8], "big")
        size = int.from_bytes(profile[entry + 8 : entry + 12], "big")
        if offset < 132 or offset + size > len(profile):
            return False
    return _MARKUP.search(profile) is None


def strip_jpeg_metadata(data: bytes) -> bytes:
    """The JPEG with only the segments it needs to be decoded, ending at its own EOI marker.

    Lossless: the tables, frame header and entropy-coded scan data are copied byte for byte, so the
    pixels are exactly those uploaded. Every segment between the scans of a progressive JPEG is
    looked at too; anything behind the EOI (a second MPO frame with its own EXIF, an appended
    archive or script) is cut off.
    """
    out = bytearray(data[:2])
    icc_at, icc_segments, icc_chunks = -1, [], []
    has_jfif = has_adobe = False
    i = 2
    total = len(data)
    while i + 4 <= total:
        if data[i] != 0xFF:
            raise _corrupt()
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # stray standalone markers mean nothing here
            i += 2
            continue
        if marker < 0xC0:
            # FF 00 is a stuffed byte inside scan data and 02..BF are reserved: read as a segment's
            # length, the bytes after it would swallow the tables the image needs.
            raise _corrupt()
        length = int.from_bytes(data[i + 2 : i + 4], "big")
        if length < 2 or i + 2 + length > total:
            raise _corrupt()
        end = i + 2 + length
        if marker == _SOS:
            if icc_segments and _icc_profile_is_clean(icc_chunks):
                out[icc_at:icc_at] = b"".join(icc_segments)
            return _copy_scans(data, i, out)
        payload = data[i + 4 : end]
        if marker in _KEPT_MARKERS:
            out += data[i:end]
        elif marker == _APP0 and not has_jfif:
            rebuilt = _jfif(payload)
            out += rebuilt
            has_jfif = bool(rebuilt)
        elif marker == _APP14 and not has_adobe:
            rebuilt = _adobe(payload)
            out += rebuilt
            has_adobe = bool(rebuilt)
        elif marker == _APP2 and payload.startswith(_ICC_CHUNK):
            icc_at = len(out) if icc_at < 0 else icc_at
            icc_segments.append(data[i:end])
            icc_chunks.append(payload[len(_ICC_CHUNK) :])
        i = end
    raise _corrupt(gettext("图片文件已损坏或不完整，无法打开。"))


def _copy_scans(data: bytes, i: int, out: bytearray) -> bytes:
    """From the first SOS: each scan's header and entropy-coded data as they are, the tables between
    scans, and nothing else (no APPn or COM, no stray bytes libjpeg would skip), up to EOI."""
    total = len(data)
    while True:
        marker = data[i + 1]
        length = int.from_bytes(data[i + 2 : i + 4], "big")
        end = i + 2 + length
        if length < 2 or end > total:
            raise _corrupt()
        if marker == _SOS or marker in _BETWEEN_SCANS:
            out += data[i:end]
        found = _NEXT_MARKER.search(data, end)
        if found is None:
            raise _corrupt(gettext("图片文件不完整（缺少结束标记），请重新上传。"))
        if marker == _SOS:
            out += data[end : found.start()]  # entropy-coded data, stuffed bytes and restart markers
        i = found.start()
        if data[i + 1] == _EOI[1]:
            out += _EOI
            return bytes(out)


def _reencode_upright(data: bytes, *, max_bytes: int) -> bytes:
    # The camera's rotation lives in EXIF, which is removed: apply it to the pixels instead
    # (a full-size decode this time; the check above decoded at reduced scale).
    original = Image.open(io.BytesIO(data))
    icc_profile = original.info.get("icc_profile")
    image = ImageOps.exif_transpose(original)
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    for quality in (92, 85, 75, 65, 50):
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=quality, icc_profile=icc_profile)
        if buffer.tell() <= max_bytes or quality == 50:
            return buffer.getvalue()
    raise AssertionError("unreachable")
