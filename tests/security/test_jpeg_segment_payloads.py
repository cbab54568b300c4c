"""Markup hidden in a JPEG's metadata segments never comes back out (issue 9, finding 11).

A probe uploaded a valid JPEG carrying HTML in a non-standard APP0 segment and got the HTML back
from the preview. Here every application segment (APP0 in each of its shapes, APP1 to APP15) and
COM carries `<script>`/`<html>`, before the frame and between the scans of a progressive JPEG; each
file goes through the real upload view and comes back through the real preview view. No payload
byte may come back, and the image is kept losslessly: the same pixels, and (where the hostile file
was a clean JPEG with segments added) exactly the clean JPEG's bytes.
"""

import io
import struct

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, ImageCms

from applications.models import Attachment
from tests import factories
from tests.security import badfiles

pytestmark = pytest.mark.django_db

SCRIPT = b"<script>alert(document.cookie)</script>"
HTML = b"<html><body onload=alert(1)>" + SCRIPT + b"</body></html>"
TELLTALES = (b"<script", b"<html", b"<body", b"alert(")


def segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def jfif_payload(data: bytes) -> bytes:
    """The JFIF APP0's 14 payload bytes of a Pillow JPEG (SOI, then APP0 of length 16)."""
    assert data[2:4] == b"\xff\xe0" and data[6:11] == b"JFIF\x00"
    return data[6:20]


def after_jfif(data: bytes, *extra: bytes) -> bytes:
    """Insert segments after the first one (JFIF APP0, or Adobe APP14 in a CMYK JPEG)."""
    end = 4 + struct.unpack(">H", data[4:6])[0]
    return data[:end] + b"".join(extra) + data[end:]


def before_second_scan(data: bytes, *extra: bytes) -> bytes:
    """Insert segments between the first and the second scan of a progressive JPEG."""
    first = data.index(b"\xff\xda")
    # The next marker after the first scan that is not a stuffed byte or a restart marker.
    i = first + 2 + struct.unpack(">H", data[first + 2 : first + 4])[0]
    while not (data[i] == 0xFF and data[i + 1] not in (0x00, *range(0xD0, 0xD8))):
        i += 1
    return data[:i] + b"".join(extra) + data[i:]


def icc_with_markup() -> bytes:
    """A real sRGB profile with the HTML in bytes its header declares but no tag points to."""
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes() + HTML
    return struct.pack(">I", len(profile)) + profile[4:]


def icc_segment(profile: bytes) -> bytes:
    return segment(0xE2, b"ICC_PROFILE\x00\x01\x01" + profile)


def exif_with_payload() -> bytes:
    exif = Image.Exif()
    exif[0x010E] = SCRIPT.decode()  # ImageDescription
    return exif.tobytes()  # b"Exif\0\0" and the TIFF structure


BASE = badfiles.base_jpegs()["baseline"]
PROGRESSIVE = badfiles.base_jpegs()["progressive"]
CMYK = badfiles.base_jpegs()["cmyk"]

# label -> (hostile file, the clean file it must come back as, or None when only pixels must match)
CASES = {
    "APP0 non-JFIF instead of JFIF": (b"\xff\xd8" + segment(0xE0, HTML) + BASE[20:], b"\xff\xd8" + BASE[20:]),
    "APP0 non-JFIF after JFIF": (after_jfif(BASE, segment(0xE0, b"AVI1\x00" + HTML)), BASE),
    "APP0 JFIF with trailing junk": (
        b"\xff\xd8" + segment(0xE0, jfif_payload(BASE) + HTML) + BASE[20:],
        BASE,
    ),
    "APP0 JFIF with a thumbnail": (
        b"\xff\xd8"
        + segment(0xE0, jfif_payload(BASE)[:12] + b"\x08\x08" + HTML.ljust(8 * 8 * 3, b" "))
        + BASE[20:],
        BASE,
    ),
    "APP0 JFXX thumbnail": (after_jfif(BASE, segment(0xE0, b"JFXX\x00\x10" + HTML)), BASE),
    "APP1 XMP": (after_jfif(BASE, segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + HTML)), BASE),
    "APP1 non-EXIF": (after_jfif(BASE, segment(0xE1, HTML)), BASE),
    "APP1 EXIF with markup in a tag": (after_jfif(BASE, segment(0xE1, exif_with_payload())), BASE),
    "APP2 non-ICC": (after_jfif(BASE, segment(0xE2, b"FPXR\x00" + HTML)), BASE),
    "APP2 ICC with markup inside the profile": (after_jfif(BASE, icc_segment(icc_with_markup())), BASE),
    "APP2 ICC with junk after the profile": (
        after_jfif(
            BASE, icc_segment(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes() + HTML)
        ),
        BASE,
    ),
    **{
        f"APP{n}": (after_jfif(BASE, segment(0xE0 + n, HTML)), BASE)
        for n in (3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15)
    },
    "APP14 non-Adobe": (after_jfif(BASE, segment(0xEE, HTML)), BASE),
    "APP14 Adobe with markup after it": (
        after_jfif(BASE, segment(0xEE, b"Adobe\x00\x64\x00\x00\x00\x00\x01" + HTML)),
        after_jfif(BASE, segment(0xEE, b"Adobe\x00\x64\x00\x00\x00\x00\x01")),
    ),
    "APP14 Adobe with markup in its fields": (
        after_jfif(BASE, segment(0xEE, b"Adobe<html>\x01")),
        after_jfif(BASE, segment(0xEE, b"Adobe\x00\x64\x00\x00\x00\x00\x01")),
    ),
    "COM": (after_jfif(BASE, segment(0xFE, HTML)), BASE),
    "COM and APP15 between progressive scans": (
        before_second_scan(PROGRESSIVE, segment(0xFE, HTML), segment(0xEF, HTML)),
        PROGRESSIVE,
    ),
    "stray bytes after a COM between progressive scans": (
        before_second_scan(PROGRESSIVE, segment(0xFE, b"x") + HTML),
        PROGRESSIVE,
    ),
    "every segment at once, CMYK": (
        after_jfif(CMYK, *(segment(0xE0 + n, HTML) for n in (1, 2, 3, 15)), segment(0xFE, HTML)),
        CMYK,
    ),
}


@pytest.fixture
def draft(applicant):
    return factories.ApplicationFactory(applicant=applicant)


def upload_and_fetch(client, application, data: bytes) -> bytes:
    response = client.post(
        reverse("applications:attachment_upload", kwargs={"public_id": application.public_id}),
        {"kind": "other", "file": SimpleUploadedFile("scan.jpg", data, content_type="image/jpeg")},
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    attachment = Attachment.objects.get(application=application, kind="other")
    served = client.get(
        reverse("applications:attachment_preview", kwargs={"public_id": attachment.public_id})
    )
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    return b"".join(served.streaming_content)


def pixels(data: bytes) -> tuple:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image.mode, image.size, image.tobytes()


@pytest.mark.parametrize("label", list(CASES))
def test_payload_in_a_segment_is_not_served_back(applicant_client, draft, label):
    hostile, clean = CASES[label]
    assert any(t in hostile for t in TELLTALES)
    pixels(hostile)  # the hostile file is itself a valid JPEG
    served = upload_and_fetch(applicant_client, draft, hostile)
    lowered = served.lower()
    assert not [t for t in TELLTALES if t in lowered]
    assert pixels(served) == pixels(hostile)
    assert served == clean


def test_icc_profile_without_markup_is_still_kept(applicant_client, draft):
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    served = upload_and_fetch(applicant_client, draft, after_jfif(BASE, icc_segment(profile)))
    assert Image.open(io.BytesIO(served)).info.get("icc_profile") == profile
    assert served == after_jfif(BASE, icc_segment(profile))


def test_rotated_photo_is_rebuilt_without_the_payloads(applicant_client, draft):
    exif = Image.Exif()
    exif[0x0112] = 6  # held sideways: the stored copy is re-encoded upright
    rotated = Image.open(io.BytesIO(BASE))
    buffer = io.BytesIO()
    rotated.save(buffer, "JPEG", quality=85, exif=exif.tobytes(), icc_profile=icc_with_markup())
    hostile = after_jfif(buffer.getvalue(), segment(0xFE, HTML), segment(0xE5, HTML))
    served = upload_and_fetch(applicant_client, draft, hostile)
    assert not [t for t in TELLTALES if t in served.lower()]
    assert Image.open(io.BytesIO(served)).size == (480, 640)
