"""Over a thousand bad files through the real upload view (applications:attachment_upload), by a
logged-in applicant whose draft is already filled in: each is refused with a message beside its
row, no server error, no Attachment or 证件库 row, and the draft's answers and earlier attachment
stay as they were. Valid JPEGs of every kind a phone or scanner writes are accepted."""

import io
import itertools
import re
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from applications.choices import AttachmentKind
from applications.models import Application, Attachment, LibraryDocument
from tests import factories
from tests.security import badfiles

pytestmark = pytest.mark.django_db

# What the applicant reads for each refusal (core.uploads).
CODE_TEXT = {
    "not_jpeg": "只能上传JPG格式的图片",
    "too_large": "超过500KB的限制",
    "empty": "文件为空（0字节）",
    "bomb": "疑似异常构造的文件",
    "too_big_dimensions": "过大（单边不超过10000像素）",
    "too_small_dimensions": "过小（单边不少于100像素）",
    "odd_ratio": "长宽比例异常",
}
CORRUPT_TEXTS = ("已损坏或不完整", "结构异常", "缺少结束标记", "浏览器无法显示", "缺少解码所需的数据表")
CONTENT_TYPES = itertools.cycle(
    ["image/jpeg", "image/pjpeg", "application/octet-stream", "image/png", "text/html", ""]
)
KINDS = itertools.cycle([kind for kind in AttachmentKind if kind != AttachmentKind.HOUSEHOLD_REGISTER])


@pytest.fixture
def filled_draft(applicant):
    """A draft with every answer given and the 户口簿 already attached."""
    application = factories.ApplicationFactory(applicant=applicant)
    factories.AttachmentFactory(application=application, kind=AttachmentKind.HOUSEHOLD_REGISTER)
    return application


def answers(application) -> dict:
    return Application.objects.filter(pk=application.pk).values().get()


def upload(client, application, sample, kind):
    return client.post(
        reverse("applications:attachment_upload", kwargs={"public_id": application.public_id}),
        {
            "kind": kind,
            "file": SimpleUploadedFile(sample.name, sample.data, content_type=next(CONTENT_TYPES)),
        },
    )


def row_error(html: str, kind: str) -> str:
    match = re.search(
        rf'<div class="invalid-feedback d-block" id="error-{kind}" role="alert">(.*?)</div>\s*</li>',
        html,
        re.S,
    )
    return unescape(re.sub(r"<[^>]+>", " ", match.group(1))).strip() if match else ""


def refused_page(client, response) -> str:
    """A refusal redirects to the 附件上传 step (POST/redirect/GET); the page it leads to says why."""
    assert response.status_code == 302, response.status_code
    assert response.url.split("#")[0].endswith("/attachments/"), response.url
    return client.get(response.url).content.decode()


def assert_refused(client, response, sample, kind):
    where = f"{sample.label} ({len(sample.data)} bytes) as {kind}"
    message = row_error(refused_page(client, response), kind)
    assert message, f"{where}: no message beside the {kind} row"
    if sample.expect == "corrupt" or (
        sample.expect is None and not any(t in message for t in CODE_TEXT.values())
    ):
        assert any(text in message for text in CORRUPT_TEXTS), f"{where}: {message}"
    elif sample.expect is not None:
        assert CODE_TEXT[sample.expect] in message, f"{where}: {message}"


def test_over_a_thousand_bad_files_are_refused_beside_their_row_and_change_nothing(
    applicant_client, filled_draft
):
    samples = badfiles.bad_files() + badfiles.real_huge_jpegs()
    assert len(samples) >= 1000
    before = answers(filled_draft)
    documents = LibraryDocument.objects.count()
    attachments = list(Attachment.objects.values_list("pk", "kind", "document_id"))

    for n, sample in enumerate(samples):
        kind = next(KINDS)
        assert_refused(applicant_client, upload(applicant_client, filled_draft, sample, kind), sample, kind)
        assert LibraryDocument.objects.count() == documents, sample.label
        if n % 50 == 0:
            assert list(Attachment.objects.values_list("pk", "kind", "document_id")) == attachments

    assert list(Attachment.objects.values_list("pk", "kind", "document_id")) == attachments
    assert answers(filled_draft) == before


def test_the_refused_page_keeps_the_draft_and_its_attachment_on_show(applicant_client, filled_draft):
    sample = badfiles.Sample("renamed PNG", "scan.jpg", badfiles._save(Image.new("RGB", (200, 200)), "PNG"))
    html = refused_page(applicant_client, upload(applicant_client, filled_draft, sample, "id_card"))
    assert 'id="kind-household_register"' in html and "已上传" in html
    assert "该文件实际是PNG图片" in row_error(html, "id_card")
    assert row_error(html, "household_register") == ""


@pytest.mark.parametrize("sample", badfiles.valid_jpegs(), ids=lambda s: s.label)
def test_valid_jpegs_of_every_kind_are_accepted(applicant_client, filled_draft, sample):
    before = answers(filled_draft)
    response = upload(applicant_client, filled_draft, sample, "id_card")
    assert response.status_code == 302, row_error(response.content.decode(), "id_card")
    attachment = Attachment.objects.select_related("document").get(application=filled_draft, kind="id_card")
    stored = attachment.document.file.read()
    assert len(stored) <= badfiles.LIMIT
    image = Image.open(io.BytesIO(stored))
    image.load()
    assert image.format == "JPEG" and len(image.getexif()) == 0  # GPS and camera data dropped
    assert attachment.document.original_name == sample.name
    after = answers(filled_draft)
    assert {k: v for k, v in after.items() if k != "updated_at"} == {
        k: v for k, v in before.items() if k != "updated_at"
    }


@pytest.mark.parametrize(
    "sample, payload", badfiles.smuggling_jpegs(), ids=[s.label for s, _ in badfiles.smuggling_jpegs()]
)
def test_a_valid_jpeg_carrying_something_else_is_stored_without_it(
    applicant_client, filled_draft, sample, payload
):
    assert upload(applicant_client, filled_draft, sample, "other").status_code == 302
    stored = LibraryDocument.objects.get(owner=filled_draft.applicant, kind="other").file.read()
    assert payload not in stored
    assert stored.startswith(b"\xff\xd8") and stored.endswith(b"\xff\xd9")


def test_a_hostile_file_name_is_shown_as_text(applicant_client, filled_draft):
    name = '"><img src=x onerror=alert(1)>.jpg'
    sample = badfiles.Sample("baseline", name, badfiles.base_jpegs()["baseline"])
    assert upload(applicant_client, filled_draft, sample, "id_card").status_code == 302
    page = applicant_client.get(
        reverse("applications:step", kwargs={"public_id": filled_draft.public_id, "step": "attachments"})
    ).content.decode()
    assert "<img src=x onerror" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;.jpg" in page
