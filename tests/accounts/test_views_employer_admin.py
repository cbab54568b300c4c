"""The employer-admin pages: request form, my requests, cancel, licence view, employer home, search."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Employer, EmployerAdmin
from tests import factories

# Files are stored here: each test runs on the local folder and on a bucket (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.both_storages]

REQUEST_URL = "/accounts/employer-admin/apply/"
LIST_URL = "/accounts/employer-admin/"


def jpeg_upload(name="执照.jpg", **kwargs):
    return SimpleUploadedFile(name, factories.jpeg_bytes(600, 400, **kwargs), content_type="image/jpeg")


@pytest.fixture
def employer():
    return factories.EmployerFactory(name="广州天河软件科技有限公司")


def test_the_request_page_needs_a_login(client):
    response = client.get(REQUEST_URL)
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_staff_cannot_use_the_request_page(reviewer_client):
    assert reviewer_client.get(REQUEST_URL).status_code == 403


def test_search_lists_matching_employers(applicant_client, employer):
    html = applicant_client.get(REQUEST_URL, {"q": "天河软件"}).content.decode()
    assert employer.name in html and employer.credit_code in html
    assert f'value="{employer.public_id}"' in html
    nothing = applicant_client.get(REQUEST_URL, {"q": "不存在的单位"}).content.decode()
    assert "没有找到" in nothing and "搜索不到单位名称操作指引" in nothing


def test_requesting_a_found_employer(applicant_client, applicant, employer):
    response = applicant_client.post(
        REQUEST_URL,
        {"q": "天河", "employer": str(employer.public_id), "business_licence": jpeg_upload(), "confirm": "on"},
    )
    assert response.status_code == 302 and response.url == LIST_URL
    right = EmployerAdmin.objects.get(user=applicant)
    assert right.employer == employer and right.status == EmployerAdmin.Status.PENDING
    listing = applicant_client.get(LIST_URL).content.decode()
    assert employer.name in listing and "待审核" in listing and "撤回申请" in listing


def test_registering_a_new_employer_with_the_request(applicant_client, applicant):
    code = factories.make_credit_code()
    district = factories.district("440115")
    response = applicant_client.post(
        REQUEST_URL,
        {
            "q": "南沙新公司",
            "new_employer_name": "广州南沙新公司",
            "new_employer_credit_code": code,
            "new_employer_district": district.pk,
            "business_licence": jpeg_upload(),
            "confirm": "on",
        },
    )
    assert response.status_code == 302
    employer = Employer.objects.get(credit_code=code)
    assert employer.district == district
    assert EmployerAdmin.objects.get(user=applicant).employer == employer


def test_a_renamed_png_is_refused_beside_the_field_and_the_rest_is_kept(applicant_client, employer):
    png = SimpleUploadedFile("执照.jpg", b"\x89PNG\r\n\x1a\n" + b"0" * 200, content_type="image/jpeg")
    response = applicant_client.post(
        REQUEST_URL,
        {
            "q": "天河",
            "employer": str(employer.public_id),
            "business_licence": png,
            "applicant_note": "人事部经理",
            "confirm": "on",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "只能上传JPG格式的图片，该文件实际是PNG图片" in html
    assert "人事部经理" in html and "checked" in html
    assert not EmployerAdmin.objects.exists()


def test_a_bad_credit_code_is_explained_beside_its_field(applicant_client):
    code = factories.make_credit_code()
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    response = applicant_client.post(
        REQUEST_URL,
        {
            "new_employer_name": "广州某某公司",
            "new_employer_credit_code": wrong,
            "new_employer_district": factories.district().pk,
            "business_licence": jpeg_upload(),
            "confirm": "on",
        },
    )
    html = response.content.decode()
    assert "统一社会信用代码校验位不正确" in html
    assert 'value="广州某某公司"' in html and f'value="{wrong}"' in html


def test_a_credit_code_already_registered_points_to_the_search(applicant_client, employer):
    response = applicant_client.post(
        REQUEST_URL,
        {
            "new_employer_name": "别名",
            "new_employer_credit_code": employer.credit_code,
            "new_employer_district": employer.district.pk,
            "business_licence": jpeg_upload(),
            "confirm": "on",
        },
    )
    assert f"该统一社会信用代码已登记为“{employer.name}”" in response.content.decode()


def test_nothing_chosen_and_nothing_uploaded_gives_both_messages(applicant_client):
    html = applicant_client.post(REQUEST_URL, {"confirm": "on"}).content.decode()
    assert "请先搜索并选择单位" in html
    assert "请上传营业执照" in html


def test_a_checked_licence_survives_an_error_elsewhere(applicant_client, applicant, employer):
    first = applicant_client.post(
        REQUEST_URL, {"q": "天河", "employer": str(employer.public_id), "business_licence": jpeg_upload("原件.jpg")}
    )
    html = first.content.decode()
    assert "请勾选承诺后再提交" in html
    assert "已上传：原件.jpg" in html
    # The second submission needs no file: the checked licence was kept.
    second = applicant_client.post(REQUEST_URL, {"q": "天河", "employer": str(employer.public_id), "confirm": "on"})
    assert second.status_code == 302
    right = EmployerAdmin.objects.get(user=applicant)
    assert right.business_licence.read().startswith(b"\xff\xd8\xff")
    assert "employer_admin_licence" not in applicant_client.session


def test_the_holder_cancels_an_approved_right(applicant_client, applicant):
    right = factories.EmployerAdminFactory(user=applicant)
    response = applicant_client.post(reverse("accounts:employer_admin_cancel", args=[right.public_id]))
    assert response.url == LIST_URL
    right.refresh_from_db()
    assert right.status == EmployerAdmin.Status.CANCELLED and right.cancelled_by == applicant


def test_another_users_right_cannot_be_cancelled_or_seen(applicant_client, other_applicant):
    right = factories.EmployerAdminFactory(user=other_applicant)
    assert applicant_client.post(reverse("accounts:employer_admin_cancel", args=[right.public_id])).status_code == 404
    assert applicant_client.get(reverse("accounts:employer_admin_licence", args=[right.public_id])).status_code == 404
    right.refresh_from_db()
    assert right.status == EmployerAdmin.Status.APPROVED


def test_cancel_is_post_only(applicant_client, applicant):
    right = factories.EmployerAdminFactory(user=applicant)
    assert applicant_client.get(reverse("accounts:employer_admin_cancel", args=[right.public_id])).status_code == 405


def test_the_licence_is_shown_to_its_requester_and_city_admins_only(applicant_client, applicant, login_client, city_admin):
    right = factories.EmployerAdminFactory(user=applicant)
    url = reverse("accounts:employer_admin_licence", args=[right.public_id])
    own = applicant_client.get(url)
    assert own.status_code == 200 and own["Content-Type"] == "image/jpeg"
    assert own["Cache-Control"] == "private, no-store"
    assert b"".join(own.streaming_content).startswith(b"\xff\xd8\xff")
    assert login_client(city_admin).get(url).status_code == 200
    assert login_client(factories.ReviewerFactory()).get(url).status_code == 404


def test_my_requests_page_has_bounded_queries(applicant_client, applicant, django_assert_max_num_queries):
    for status in ["pending", "approved", "refused", "cancelled", "approved"]:
        factories.EmployerAdminFactory(user=applicant, status=status, decided_by=factories.CityAdminFactory())
    with django_assert_max_num_queries(6):
        response = applicant_client.get(LIST_URL)
    assert response.content.decode().count('data-testid="employer-right"') == 5


def test_employer_home_lists_approved_employers_only(applicant_client, applicant):
    approved = factories.EmployerAdminFactory(user=applicant, status="approved")
    pending = factories.EmployerAdminFactory(user=applicant, status="pending")
    html = applicant_client.get(reverse("accounts:employer_home")).content.decode()
    assert approved.employer.name in html
    assert pending.employer.name not in html
    assert "单位系统管理员" in html


def test_employer_home_without_rights_points_to_the_request(applicant_client):
    html = applicant_client.get(reverse("accounts:employer_home")).content.decode()
    assert "没有获批的单位系统管理员权限" in html


def test_employer_search_json(applicant_client, employer, client):
    payload = applicant_client.get(reverse("accounts:employer_search"), {"q": employer.credit_code[:10]}).json()
    assert payload["results"][0] == {
        "id": str(employer.public_id),
        "name": employer.name,
        "credit_code": employer.credit_code,
        "district": employer.district.name,
    }
    assert applicant_client.get(reverse("accounts:employer_search"), {"q": ""}).json() == {"results": []}
