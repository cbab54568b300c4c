"""A seeded generator of files the upload must refuse, and of valid JPEGs it must accept.

Every bad file is bad by construction (not "probably bad"): another format under a .jpg name, a
markup or script file, a polyglot whose first bytes are not a JPEG, a JPEG cut short, random bytes,
a JPEG whose header declares impossible, tiny, bomb-sized or sliver dimensions, a JPEG with broken
segment structure, an empty file, or a real JPEG over 500 KB. `expect` is the refusal code the
upload check (core.uploads.check_jpeg) must give; None means any refusal.
"""

import base64
import io
import random
import struct
import zipfile
from dataclasses import dataclass
from functools import cache

from PIL import Image

LIMIT = 500 * 1024
SEED = 20260601


@dataclass(frozen=True)
class Sample:
    label: str
    name: str
    data: bytes
    expect: str | None = None


JPEG_NAMES = [
    "证件.jpg",
    "scan.JPG",
    "photo.jpeg",
    "身份证正面.jpg",
    "IMG_0001.JPG",
    "a.png.jpg",
    "毕业证.JPEG",
]


def _noise_image(rng: random.Random, mode: str = "RGB", size=None) -> Image.Image:
    width, height = size or (rng.randint(120, 360), rng.randint(120, 360))
    bands = {"RGB": 3, "L": 1, "CMYK": 4, "RGBA": 4, "P": 1, "1": 1}[mode]
    raw = rng.randbytes(width * height * bands) if mode not in ("1",) else rng.randbytes(width * height)
    base_mode = "L" if mode in ("P", "1") else mode
    image = Image.frombytes(base_mode, (width, height), raw)
    if mode == "P":
        image = image.convert("P")
    elif mode == "1":
        image = image.convert("1")
    return image


def _save(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def document_jpeg(width=640, height=480, *, mode="RGB", seed=1, **options) -> bytes:
    """A JPEG like a scanned page: a light background with dark strokes (compresses like one)."""
    rng = random.Random(seed)
    image = Image.new(mode, (width, height), {"RGB": (245, 244, 240), "L": 242, "CMYK": (4, 4, 8, 0)}[mode])
    ink = {"RGB": (30, 40, 60), "L": 25, "CMYK": (180, 150, 90, 120)}[mode]
    for _ in range(width * height // 300):
        x, y = rng.randrange(width - 8), rng.randrange(height - 3)
        for dx in range(rng.randint(2, 8)):
            image.putpixel((x + dx, y), ink)
    options.setdefault("quality", 85)
    return _save(image, "JPEG", **options)


@cache
def base_jpegs() -> dict[str, bytes]:
    """Valid JPEGs of the kinds phones and scanners write; the truncations and patches start here."""
    return {
        "baseline": document_jpeg(640, 480),
        "progressive": document_jpeg(600, 420, progressive=True, seed=2),
        "cmyk": document_jpeg(480, 360, mode="CMYK", seed=3),
        "greyscale": document_jpeg(500, 400, mode="L", seed=4),
        "optimized-444": document_jpeg(400, 300, optimize=True, subsampling=0, seed=5),
        "restart-markers": document_jpeg(480, 320, restart_marker_blocks=4, seed=6),
    }


def with_comment_padding(data: bytes, total: int) -> bytes:
    """The same JPEG grown to exactly `total` bytes with COM segments after SOI (still valid)."""
    missing = total - len(data)
    segments = []
    while missing > 0:
        # A segment costs 4 bytes of marker and length around its payload.
        payload = min(65533, missing - 4)
        if payload < 0:
            raise ValueError("cannot pad by fewer than 4 bytes")
        if 0 < missing - (payload + 4) < 4:
            payload -= 4
        segments.append(b"\xff\xfe" + struct.pack(">H", payload + 2) + b"\x20" * payload)
        missing -= payload + 4
    return data[:2] + b"".join(segments) + data[2:]


def _sof_offset(data: bytes) -> int:
    """Where the frame header (SOF0/1/2) starts: its FF marker."""
    i = 2
    while i + 4 <= len(data):
        marker = data[i + 1]
        if marker in (0xC0, 0xC1, 0xC2):
            return i
        i += 2 + struct.unpack(">H", data[i + 2 : i + 4])[0]
    raise ValueError("no SOF")


def with_dimensions(data: bytes, width: int, height: int) -> bytes:
    at = _sof_offset(data)
    return data[: at + 5] + struct.pack(">HH", height, width) + data[at + 9 :]


def with_sof_byte(data: bytes, offset: int, value: int) -> bytes:
    """Overwrite one byte of the frame header (offset from its FF marker)."""
    at = _sof_offset(data) + offset
    return data[:at] + bytes([value]) + data[at + 1 :]


def with_marker(data: bytes, marker: int) -> bytes:
    """The frame header relabelled as another SOF type (lossless, arithmetic, hierarchical...)."""
    return with_sof_byte(data, 1, marker)


# --- the bad files ---------------------------------------------------------------------------------


RENAMED_FORMATS = [
    ("PNG", {}, "RGB"),
    ("PNG", {}, "RGBA"),
    ("GIF", {}, "P"),
    ("BMP", {}, "RGB"),
    ("TIFF", {}, "RGB"),
    ("TIFF", {"compression": "jpeg"}, "RGB"),  # a TIFF wrapping JPEG data
    ("WEBP", {"quality": 60}, "RGB"),
    ("ICO", {}, "RGBA"),
    ("PPM", {}, "RGB"),
    ("JPEG2000", {}, "RGB"),
    ("PDF", {}, "RGB"),
    ("TGA", {}, "RGB"),
]

TEXT_TEMPLATES = [
    "<!DOCTYPE html><html><body><script>alert(document.cookie)</script>{}</body></html>",
    "<html><head><meta http-equiv=refresh content='0;url=https://evil.example/'></head>{}</html>",
    '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><text>{}</text></svg>',
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;{}</x>',
    "<?php system($_GET['c']); /* {} */ ?>",
    "#!/bin/sh\nrm -rf / # {}\n",
    "alert('{}');",
    '{{"image": "{}"}}',
    "姓名,身份证号\n张三,{}\n",
    "这不是图片，只是改了扩展名的文本：{}",
    "\ufeff<script>{}</script>",
    "   \r\n\t<body onload=alert(1)>{}</body>",
]


def _renamed(rng: random.Random, count: int):
    for n in range(count):
        fmt, options, mode = RENAMED_FORMATS[n % len(RENAMED_FORMATS)]
        image = _noise_image(rng, mode)
        if fmt in ("PDF", "JPEG2000", "TGA", "PPM", "BMP") and image.mode == "RGBA":
            image = image.convert("RGB")
        yield Sample(f"renamed {fmt}", rng.choice(JPEG_NAMES), _save(image, fmt, **options), "not_jpeg")


def _text(rng: random.Random, count: int):
    for n in range(count):
        filler = "".join(rng.choice("abc仿冒证件0123<>\"'&;") for _ in range(rng.randint(0, 400)))
        text = TEXT_TEMPLATES[n % len(TEXT_TEMPLATES)].format(filler)
        yield Sample("markup or script", rng.choice(JPEG_NAMES), text.encode(), "not_jpeg")


def _zip_with(member: str, content: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(member, content)
    return buffer.getvalue()


def _polyglots(rng: random.Random, count: int):
    jpeg = base_jpegs()["baseline"]
    makers = [
        (
            "GIF+ZIP (GIFAR)",
            lambda: _save(_noise_image(rng, "P"), "GIF") + _zip_with("a.class", rng.randbytes(64)),
        ),
        ("PNG with a JPEG behind it", lambda: _save(_noise_image(rng), "PNG") + jpeg),
        ("HTML with a JPEG behind it", lambda: b"<html><script>alert(1)</script>" + jpeg),
        (
            "SVG embedding a JPEG",
            lambda: (
                b'<svg xmlns="http://www.w3.org/2000/svg"><image href="data:image/jpeg;base64,'
                + base64.b64encode(jpeg[:3000])
                + b'"/></svg>'
            ),
        ),
        ("ZIP holding a JPEG", lambda: _zip_with("scan.jpg", jpeg)),
        ("PDF holding a JPEG", lambda: _save(Image.open(io.BytesIO(jpeg)), "PDF")),
        (
            "JPEG magic then HTML",
            lambda: b"\xff\xd8\xff\xe0<html><script>alert(1)</script></html>" + rng.randbytes(32),
        ),
        ("JFIF header then PHP", lambda: jpeg[:20] + b"<?php system($_GET['c']); ?>"),
        ("JPEG tables only, no frame", lambda: jpeg[: _sof_offset(jpeg)] + b"\xff\xd9"),
        ("HEIC brand with a JPEG", lambda: b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + jpeg),
        ("MP4 brand with a JPEG", lambda: b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + jpeg),
        ("RIFF/WebP header with a JPEG", lambda: b"RIFF\x00\x10\x00\x00WEBPVP8 " + jpeg),
    ]
    for n in range(count):
        label, make = makers[n % len(makers)]
        yield Sample(f"polyglot: {label}", rng.choice(JPEG_NAMES), make())


def _truncated(rng: random.Random, count: int):
    bases = list(base_jpegs().items())
    for n in range(count):
        label, data = bases[n % len(bases)]
        # Anywhere from just after SOI to one byte short of the end (the EOI marker lost).
        cut = rng.randint(3, len(data) - 1)
        yield Sample(f"truncated {label} at {cut}/{len(data)}", rng.choice(JPEG_NAMES), data[:cut])


def _random_bytes(rng: random.Random, count: int):
    for _ in range(count):
        data = rng.randbytes(rng.randint(1, 8192))
        if data.startswith(b"\xff\xd8\xff"):
            data = b"\x00" + data
        yield Sample("random bytes", rng.choice(JPEG_NAMES), data)


def _soi_garbage(rng: random.Random, count: int):
    for _ in range(count):
        yield Sample(
            "JPEG signature then garbage",
            rng.choice(JPEG_NAMES),
            b"\xff\xd8\xff" + rng.randbytes(rng.randint(0, 4096)),
        )


def _bad_dimensions(rng: random.Random, count: int):
    cases = [
        ((65535, 65535), "bomb"),
        ((60000, 60000), "bomb"),
        ((20000, 20000), "bomb"),
        ((8000, 8000), "bomb"),  # 64 MP: below Pillow's own limit, above the portal's
        ((7000, 6000), "bomb"),
        ((12000, 2000), "too_big_dimensions"),
        ((2000, 10001), "too_big_dimensions"),
        ((99, 400), "too_small_dimensions"),
        ((400, 50), "too_small_dimensions"),
        ((1, 1), "too_small_dimensions"),
        ((1500, 140), "odd_ratio"),
        ((150, 3000), "odd_ratio"),
        ((0, 480), None),
        ((640, 0), None),
    ]
    bases = list(base_jpegs().items())
    for n in range(count):
        (width, height), code = cases[n % len(cases)]
        if n >= len(cases):  # then random sizes in each bad range
            width, height, code = _random_bad_size(rng)
        label, data = bases[n % len(bases)]
        yield Sample(
            f"{label} declaring {width}x{height}",
            rng.choice(JPEG_NAMES),
            with_dimensions(data, width, height),
            code,
        )


def _random_bad_size(rng: random.Random):
    kind = rng.choice(["bomb", "too_big_dimensions", "too_small_dimensions", "odd_ratio"])
    if kind == "bomb":
        side = rng.randint(6400, 65535)
        return side, rng.randint(max(6400, 40_000_001 // side + 1), 65535), "bomb"
    if kind == "too_big_dimensions":
        long_side = rng.randint(10_001, 39_999)
        short = rng.randint(1000, max(1000, 39_999_999 // long_side))
        return (long_side, short, kind) if rng.random() < 0.5 else (short, long_side, kind)
    if kind == "too_small_dimensions":
        return rng.randint(1, 99), rng.randint(1, 900), kind
    short = rng.randint(100, 900)
    return short, short * 10 + rng.randint(1, 200), kind


def _broken_structure(rng: random.Random, count: int):
    jpeg_bases = list(base_jpegs().values())
    makers = [
        ("lossless SOF3 frame", lambda d: with_marker(d, 0xC3)),
        ("hierarchical SOF5 frame", lambda d: with_marker(d, 0xC5)),
        ("arithmetic-coded label on Huffman data", lambda d: with_marker(d, 0xC9)),
        ("16-bit sample precision", lambda d: with_sof_byte(d, 4, 16)),
        ("no colour components", lambda d: with_sof_byte(d, 9, 0)),
        ("segment length 0", lambda d: d[:4] + b"\x00\x00" + d[6:]),
        ("segment length 1", lambda d: d[:4] + b"\x00\x01" + d[6:]),
        ("segment longer than the file", lambda d: d[:4] + b"\xff\xff" + d[6:]),
        ("marker without FF", lambda d: d[:2] + b"\x00" + d[3:]),
        ("scan header cut", lambda d: d[: d.find(b"\xff\xda") + 5] + b"\xff\xd9"),
        ("EOI right after SOI", lambda d: b"\xff\xd8\xff\xd9"),
        (
            "frame header missing",
            lambda d: (
                d[: _sof_offset(d)]
                + d[_sof_offset(d) + 2 + struct.unpack(">H", d[_sof_offset(d) + 2 : _sof_offset(d) + 4])[0] :]
            ),
        ),
        ("Huffman tables removed", lambda d: _without_marker(d, 0xC4)),
        ("quantisation tables removed", lambda d: _without_marker(d, 0xDB)),
    ]
    for n in range(count):
        label, make = makers[n % len(makers)]
        yield Sample(
            f"broken structure: {label}", rng.choice(JPEG_NAMES), make(jpeg_bases[n % len(jpeg_bases)])
        )


def _without_marker(data: bytes, marker: int) -> bytes:
    out, i = bytearray(data[:2]), 2
    while i + 4 <= len(data) and data[i + 1] != 0xDA:
        length = struct.unpack(">H", data[i + 2 : i + 4])[0]
        if data[i + 1] != marker:
            out += data[i : i + 2 + length]
        i += 2 + length
    return bytes(out + data[i:])


def _oversized(rng: random.Random, count: int):
    bases = list(base_jpegs().items())
    sizes = [LIMIT + 1, LIMIT + 2, LIMIT + 1024] + [rng.randint(LIMIT + 1, 3 * LIMIT) for _ in range(count)]
    for n in range(count):
        label, data = bases[n % len(bases)]
        yield Sample(
            f"valid {label} of {sizes[n]} bytes",
            rng.choice(JPEG_NAMES),
            with_comment_padding(data, sizes[n]),
            "too_large",
        )


def _empty(rng: random.Random):
    yield Sample("zero bytes", "empty.jpg", b"", "empty")
    for blank in (b" ", b"\n", b"\r\n\r\n", b"\x00" * 64, b"\t \t"):
        yield Sample("blank", rng.choice(JPEG_NAMES), blank)


def bad_files(seed: int = SEED) -> list[Sample]:
    rng = random.Random(seed)
    return [
        *_renamed(rng, 240),
        *_text(rng, 120),
        *_polyglots(rng, 72),
        *_truncated(rng, 240),
        *_random_bytes(rng, 110),
        *_soi_garbage(rng, 70),
        *_bad_dimensions(rng, 84),
        *_broken_structure(rng, 56),
        *_oversized(rng, 18),
        *_empty(rng),
    ]


def real_huge_jpegs() -> list[Sample]:
    """Genuinely encoded (not patched) images of refused dimensions: flat, so small in bytes."""
    return [
        Sample(
            "real 6400x6400 (41 MP)",
            "huge.jpg",
            _save(Image.new("L", (6400, 6400), 250), "JPEG", quality=5),
            "bomb",
        ),
        Sample(
            "real 10400x1200",
            "wide.jpg",
            _save(Image.new("L", (10400, 1200), 250), "JPEG", quality=5),
            "too_big_dimensions",
        ),
        Sample(
            "real 1100x120 sliver",
            "sliver.jpg",
            _save(Image.new("RGB", (1100, 105), "white"), "JPEG"),
            "odd_ratio",
        ),
        Sample(
            "real 90x90 thumbnail",
            "thumb.jpg",
            _save(Image.new("RGB", (90, 90), "white"), "JPEG"),
            "too_small_dimensions",
        ),
    ]


# --- the good files ---------------------------------------------------------------------------------


def _with_exif_gps(data: bytes) -> bytes:
    image = Image.open(io.BytesIO(data))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (23.0, 7.0, 30.0), 3: "E", 4: (113.0, 19.0, 10.0)}
    return _save(image, "JPEG", quality=85, exif=exif.tobytes())


def valid_jpegs() -> list[Sample]:
    bases = base_jpegs()
    exactly_limit = with_comment_padding(bases["baseline"], LIMIT)
    assert len(exactly_limit) == LIMIT
    return [
        Sample("baseline", "scan.jpg", bases["baseline"]),
        Sample("progressive", "progressive.jpg", bases["progressive"]),
        Sample("CMYK (Adobe) scan", "cmyk.jpg", bases["cmyk"]),
        Sample("greyscale", "grey.jpg", bases["greyscale"]),
        Sample("optimised 4:4:4", "optimised.jpg", bases["optimized-444"]),
        Sample("restart markers", "restart.jpg", bases["restart-markers"]),
        Sample(
            "progressive CMYK", "pcmyk.jpg", document_jpeg(420, 300, mode="CMYK", progressive=True, seed=7)
        ),
        Sample("phone photo with GPS in EXIF", "IMG_2041.JPG", _with_exif_gps(bases["baseline"])),
        Sample("exactly 500 KB", "big.jpg", exactly_limit),
        Sample("upper-case extension, Chinese name", "学位证书.JPEG", bases["progressive"]),
    ]


# Valid JPEGs carrying something else: accepted, but only the image is stored.
def smuggling_jpegs() -> list[tuple[Sample, bytes]]:
    jpeg = base_jpegs()["baseline"]
    script = b"<script>alert(document.cookie)</script>"
    php = b"<?php system($_GET['c']); ?>"
    archive = _zip_with("payload.html", script)
    comment = b"\xff\xfe" + struct.pack(">H", len(php) + 2) + php
    return [
        (Sample("JPEG with a ZIP appended", "scan.jpg", jpeg + archive), b"payload.html"),
        (Sample("JPEG with HTML appended", "scan.jpg", jpeg + script), script),
        (Sample("JPEG with PHP in a comment", "scan.jpg", jpeg[:2] + comment + jpeg[2:]), php),
    ]
