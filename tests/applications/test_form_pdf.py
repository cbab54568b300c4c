"""The 申报表 PDF: every answer, each 随迁人, the attachment list with sizes, the number, the
submission time and the QR code to the status page; who may download it, and with which headers."""

import datetime
import io
import re
import shutil
import subprocess

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from applications.choices import AttachmentKind, Relation, Status
from applications.form_pdf import QR_SIZE, application_form_pdf, size_text
from core.pdf import qr_operators
from tests import factories
from tests.builders import build_application
from tests.e2e.conftest import SCREENSHOT_DIR

pytestmark = pytest.mark.django_db

SPOUSE_ID = factories.make_resident_id(factories.years_ago(31), male=False)
SON_ID = factories.make_resident_id(datetime.date(2019, 6, 1))


@pytest.fixture
def submitted(applicant):
    return build_application(
        Status.SUBMITTED,
        applicant=applicant,
        family=[("李晓红", SPOUSE_ID, Relation.SPOUSE), ("张小宝", SON_ID, Relation.SON)],
        graduate_school="中山大学",
        major="计算机科学与技术",
        position="高级软件工程师",
        intended_address="广州市天河区天河北路1号",
    )


def _pages(pdf: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(pdf))
    # Cells wrap long values over lines; compare without any whitespace.
    return [re.sub(r"\s+", "", page.extract_text()) for page in reader.pages]


def _text(pdf: bytes) -> str:
    return "".join(_pages(pdf))


def _squash(value: str) -> str:
    return re.sub(r"\s+", "", value)


def _download(client, application):
    return client.get(reverse("applications:form_pdf", kwargs={"public_id": application.public_id}))


def test_form_holds_every_answer_person_and_attachment(applicant_client, submitted):
    response = _download(applicant_client, submitted)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = b"".join(response.streaming_content) if response.streaming else response.content
    text = _text(pdf)
    app = submitted
    submitted_at = timezone.localtime(app.last_submitted_at).strftime("%Y-%m-%d%H:%M")
    for value in (
        "广州市引进人才入户申报表", "申报编号", app.number, "最近提交时间", submitted_at, "首次提交时间",
        "申报类型", "引进人才入户类", str(app.category), str(app.subcategory), "申报条件", "已确认",
        app.full_name, app.id_number, app.gender, app.birth_date.strftime("%Y-%m-%d"), app.ethnicity,
        app.marital_status, app.education, app.degree, "中山大学", "计算机科学与技术", "高级软件工程师",
        app.employer.name, app.employer.credit_code, f"{app.social_insurance_months}个月",
        app.district.full_name, app.original_registry_office, app.original_hukou_address,
        "广州市天河区天河北路1号", app.contact_mobile, "个人承诺", "已同意",
    ):  # fmt: skip
        assert _squash(value) in text, value
    for name, number, relation in (("李晓红", SPOUSE_ID, "配偶"), ("张小宝", SON_ID, "儿子")):
        assert f"{name}（{relation}）" in text
        assert number in text
    attachments = list(app.attachments.select_related("document"))
    assert attachments
    assert f"附件清单（{len(attachments)}份）" in text
    for attachment in attachments:
        assert attachment.get_kind_display() in text
        assert _squash(size_text(attachment.document.size)) in text
        assert f"{attachment.document.width}×{attachment.document.height}" in text


def test_qr_code_encodes_the_status_page(applicant_client, submitted):
    response = _download(applicant_client, submitted)
    content = PdfReader(io.BytesIO(response.content)).pages[0].get_contents().get_data().decode("latin-1")
    status_url = settings.SITE_URL + reverse("applications:status_detail", args=[submitted.public_id])
    # The modules drawn are exactly those of the status page's address (and of nothing else).
    assert qr_operators(status_url, x=0, y=12, size=QR_SIZE) in content
    other = settings.SITE_URL + reverse(
        "applications:status_detail", args=[factories.ApplicationFactory().public_id]
    )
    assert qr_operators(other, x=0, y=12, size=QR_SIZE) not in content


def test_download_has_the_private_file_headers(applicant_client, submitted):
    response = _download(applicant_client, submitted)
    assert response["Content-Disposition"].startswith("attachment; filename*=UTF-8''")
    assert submitted.number in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_another_applicants_form_is_404(login_client, submitted, other_applicant):
    assert _download(login_client(other_applicant), submitted).status_code == 404


def test_anonymous_is_sent_to_login(client, submitted):
    response = _download(client, submitted)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_returned_application_has_no_form_until_resubmitted(applicant_client, applicant):
    app = build_application(Status.RETURNED, applicant=applicant)
    response = _download(applicant_client, app)
    assert response.status_code == 302
    page = applicant_client.get(response["Location"])
    assert "申报已退回补正，正在修改中；重新提交后可下载申报表。" in page.content.decode()
    assert "下载申报表（PDF）" not in page.content.decode()


def test_draft_has_no_form(applicant_client, applicant):
    app = build_application(Status.DRAFT, applicant=applicant)
    assert _download(applicant_client, app).status_code == 302


def test_status_page_links_the_form(applicant_client, submitted):
    page = applicant_client.get(reverse("applications:status_detail", args=[submitted.public_id]))
    url = reverse("applications:form_pdf", args=[submitted.public_id])
    assert f'href="{url}"' in page.content.decode()
    assert "下载申报表（PDF）" in page.content.decode()


def _review_download(client, application):
    return client.get(reverse("review:form_pdf", kwargs={"public_id": application.public_id}))


def test_reviewer_of_the_district_and_the_city_download_it(login_client, submitted, reviewer, city_admin):
    for user in (reviewer, city_admin):
        response = _review_download(login_client(user), submitted)
        assert response.status_code == 200, user
        assert submitted.number in _text(response.content)
        assert "no-store" in response["Cache-Control"]
    detail = login_client(reviewer).get(reverse("review:detail", args=[submitted.public_id]))
    assert f'href="{reverse("review:form_pdf", args=[submitted.public_id])}"' in detail.content.decode()


def test_reviewer_of_another_district_and_applicants_get_404(login_client, submitted, other_reviewer):
    assert _review_download(login_client(other_reviewer), submitted).status_code == 404
    # The applicant is no console user: the console answers 403 and shows nothing of the form.
    response = _review_download(login_client(submitted.applicant), submitted)
    assert response.status_code in (302, 403)
    assert b"%PDF" not in response.content


def test_text_the_applicant_typed_is_printed_as_typed(applicant_client, submitted):
    # Paragraphs read markup: a value that looks like markup must neither break nor style the sheet.
    document = submitted.attachments.first().document
    document.original_name = "<b>扫描件</b> & 身份证.jpg"
    document.save(update_fields=["original_name"])
    text = _text(_download(applicant_client, submitted).content)
    assert _squash("<b>扫描件</b> & 身份证.jpg") in text


def test_long_attachment_list_runs_over_pages_each_numbered(applicant_client, submitted):
    for _ in range(40):
        factories.AttachmentFactory(application=submitted, kind=AttachmentKind.OTHER)
    pages = _pages(_download(applicant_client, submitted).content)
    assert len(pages) >= 2
    for index, page in enumerate(pages, start=1):
        assert f"申报编号{submitted.number}" in page
        assert f"第{index}页" in page


def test_download_query_count_does_not_grow_with_persons_or_attachments(applicant_client, submitted):
    url = reverse("applications:form_pdf", args=[submitted.public_id])
    applicant_client.get(reverse("applications:status"))  # session renewal and reference cache

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert applicant_client.get(url).status_code == 200
        return len(queries)

    before = count()
    for _ in range(5):
        factories.AttachmentFactory(application=submitted, kind=AttachmentKind.OTHER)
    factories.AccompanyingPersonFactory(application=submitted, relation=Relation.DAUGHTER, gender="女")
    assert count() == before
    # Session and user, the application (with its employer), its 随迁人, its attachments with documents.
    assert before <= 5


def test_rendering_needs_no_request_and_embeds_its_only_font(submitted):
    pdf = application_form_pdf(submitted, printed_at=timezone.now())
    for page in PdfReader(io.BytesIO(pdf)).pages:
        fonts = [ref.get_object() for ref in page["/Resources"]["/Font"].values()]
        assert fonts
        for font in fonts:
            # Only the embedded TrueType font: nothing relies on a font the viewer must have.
            assert "WenQuanYiZenHei" in str(font["/BaseFont"])
            assert "/FontFile2" in font["/FontDescriptor"].get_object()


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="pdftoppm (poppler-utils) is not installed")
def test_form_renders_to_an_image_for_a_person_to_look_at(applicant_client, submitted, tmp_path):
    """var/screenshots/application-form-pdf-<page>.png, as poppler draws it (docs/screenshots keeps one)."""
    pdf = tmp_path / "form.pdf"
    pdf.write_bytes(_download(applicant_client, submitted).content)
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    prefix = SCREENSHOT_DIR / "application-form-pdf"
    subprocess.run(["pdftoppm", "-png", "-r", "100", str(pdf), str(prefix)], check=True, timeout=60)
    first = sorted(SCREENSHOT_DIR.glob("application-form-pdf-*.png"))[0]
    with Image.open(first) as image:
        assert image.size[0] > 600
        # Ink on the page: the font drew (boxes or nothing would leave it nearly white).
        dark = image.convert("L").point(lambda value: 255 if value < 128 else 0).histogram()[255]
        assert dark > 5000


def test_each_accompanying_person_has_their_own_details(applicant_client, submitted):
    """The 随迁人's own 民族, 婚姻状况 and 原户口 (or the applicant's, when 与主迁人相同 was chosen)."""
    response = _download(applicant_client, submitted)
    text = _text(b"".join(response.streaming_content) if response.streaming else response.content)
    for person in submitted.accompanying_persons.all():
        assert _squash(f"民族{person.ethnicity}") in text, person
        assert _squash(f"婚姻状况{person.marital_status}") in text, person
        assert _squash(person.registry_office_shown) in text and _squash(person.hukou_address_shown) in text
