"""The public notice page and objections raised from it (anonymous, captcha, nothing private)."""

import datetime

import pytest
from django.urls import reverse

from applications.choices import Status
from review import services
from review.models import Objection
from tests import factories
from tests.builders import build_application

pytestmark = pytest.mark.django_db

LIST = reverse("notices:list")


@pytest.fixture
def in_notice(reviewer):
    employer = factories.EmployerFactory(name="广州珠江数码集团股份有限公司")
    app = build_application(Status.UNDER_REVIEW, full_name="张小三", employer=employer)
    services.application_approve(application_id=app.pk, by=reviewer)
    app.refresh_from_db()
    return app


def objection_data(**fields):
    data = {
        "contact_name": "王五",
        "contact_phone": "13900139000",
        "contact_email": "wangwu@example.com",
        "description": "申请人并未在该单位实际工作，社保由他人代缴。",
        "captcha_0": "test",
        "captcha_1": "PASSED",
    }
    data.update(fields)
    return data


def test_current_notice_shows_masked_name_employer_bureau_category_and_dates_but_no_id(client, in_notice):
    response = client.get(LIST)
    page = response.content.decode()
    notice = in_notice.notice_entry.notice
    assert "张*三" in page and "张小三" not in page
    assert "广州珠江数码集团股份有限公司" in page
    assert "广州市天河区人力资源和社会保障局" in page
    assert "二、学历类人才" in page
    assert notice.start_date.isoformat() in page and notice.end_date.isoformat() in page
    assert in_notice.id_number not in page and in_notice.id_number[:6] + "*" not in page
    assert in_notice.number not in page
    assert reverse("notices:objection", args=[in_notice.public_id]) in page


def test_notice_can_be_searched_by_number_and_employer(client, in_notice, reviewer):
    other = build_application(Status.UNDER_REVIEW, full_name="李四", employer=factories.EmployerFactory(name="广州白云机场股份有限公司"))
    services.application_approve(application_id=other.pk, by=reviewer)
    by_number = client.get(LIST, {"number": " " + in_notice.number.lower()}).content.decode()
    assert "张*三" in by_number and "李*" not in by_number
    by_employer = client.get(LIST, {"employer": "白云机场"}).content.decode()
    assert "李*" in by_employer and "张*三" not in by_employer
    assert "没有找到符合条件的公示人员" in client.get(LIST, {"employer": "不存在"}).content.decode()
    assert "没有找到符合条件的公示人员" in client.get(LIST, {"number": "GZRC209900000001"}).content.decode()


def test_malformed_number_is_explained_next_to_the_field(client, in_notice):
    page = client.get(LIST, {"number": "12345"}).content.decode()
    assert "申报编号格式不正确，应为GZRC加12位数字" in page and 'id="id_number_error"' in page
    assert "张*三" not in page and 'value="12345"' in page


def test_past_notices_and_rejected_entries(client, in_notice, reviewer, freeze_today, monkeypatch):
    monkeypatch.setattr("review.services.issue_cards_for_application.apply_async", lambda *a, **k: None)
    rejected = build_application(Status.UNDER_REVIEW, full_name="赵六六")
    services.application_approve(application_id=rejected.pk, by=reviewer)
    rejected.refresh_from_db()
    objection = services.objection_raise(
        entry_id=rejected.notice_entry.pk, contact_name="王五", contact_phone="13900139000", description="x" * 12
    )
    services.objection_uphold(objection_id=objection.pk, by=reviewer, resolution="属实")
    assert "赵*六" not in client.get(LIST).content.decode()
    notice = in_notice.notice_entry.notice
    freeze_today(notice.end_date + datetime.timedelta(days=1))
    services.notice_close(notice_id=notice.pk)
    assert "张*三" not in client.get(LIST).content.decode()
    past = client.get(LIST, {"tab": "past"}).content.decode()
    assert "张*三" in past and "赵*六" not in past
    assert reverse("notices:objection", args=[in_notice.public_id]) not in past


def test_notice_list_query_count_is_fixed(client, reviewer, django_assert_max_num_queries):
    for _ in range(3):
        app = build_application(Status.UNDER_REVIEW)
        services.application_approve(application_id=app.pk, by=reviewer)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    for _ in range(15):
        app = build_application(Status.UNDER_REVIEW, district=factories.district("440111"))
        services.application_approve(application_id=app.pk, by=factories.CityAdminFactory())
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(LIST)
    assert response.context["page"].paginator.count == 18


def test_anyone_raises_an_objection_with_captcha(client, in_notice, reviewer):
    url = reverse("notices:objection", args=[in_notice.public_id])
    page = client.get(url).content.decode()
    assert "张*三" in page and "张小三" not in page and 'name="captcha_1"' in page
    response = client.post(url, objection_data(), REMOTE_ADDR="203.0.113.5")
    objection = Objection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("notices:objection_done", args=[objection.public_id])
    assert (objection.contact_name, objection.contact_phone, objection.ip_address) == ("王五", "13900139000", "203.0.113.5")
    done = client.get(response["Location"]).content.decode()
    assert objection.public_id.hex[:8].upper() in done
    assert "王五" not in done and "13900139000" not in done


def test_objection_errors_are_shown_beside_the_fields_and_the_input_kept(client, in_notice):
    url = reverse("notices:objection", args=[in_notice.public_id])
    response = client.post(
        url, objection_data(contact_phone="12345", description="太短", captcha_1="WRONG", contact_name="王五五")
    )
    page = response.content.decode()
    assert "请填写11位手机号码" in page
    assert "异议内容请至少写10个字" in page
    assert "验证码错误" in page
    assert 'value="王五五"' in page and "太短" in page
    assert not Objection.objects.exists()


def test_objection_after_the_notice_ended_is_refused(client, in_notice, freeze_today):
    freeze_today(in_notice.notice_entry.notice.end_date + datetime.timedelta(days=1))
    url = reverse("notices:objection", args=[in_notice.public_id])
    assert "该公示已结束" in client.get(url).content.decode()
    response = client.post(url, objection_data())
    assert response.status_code == 409
    assert not Objection.objects.exists()


def test_objection_page_for_an_application_not_in_any_notice_is_404(client):
    app = build_application(Status.UNDER_REVIEW)
    assert client.get(reverse("notices:objection", args=[app.public_id])).status_code == 404


def test_objection_post_needs_the_csrf_token(in_notice):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("notices:objection", args=[in_notice.public_id]), objection_data())
    assert response.status_code == 403
    assert not Objection.objects.exists()
