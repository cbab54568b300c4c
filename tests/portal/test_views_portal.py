"""The 门户 after login: header, 我的应用, 添加应用 catalogue, help pages."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import UserSubsystem
from core.text import cn_date_with_weekday
from reference.fixtures import SUBSYSTEMS, TALENT_SUBSYSTEM_SLUG, fixture_records
from reference.models import Subsystem

pytestmark = pytest.mark.django_db


def test_the_seed_date_format():
    assert cn_date_with_weekday(datetime.date(2022, 10, 9)) == "2022年10月09日 星期日"
    assert cn_date_with_weekday(datetime.date(2022, 10, 8)) == "2022年10月08日 星期六"


def test_portal_needs_a_login(client):
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_portal_header_has_the_seed_links_name_type_and_date(applicant_client, applicant):
    html = applicant_client.get("/").content.decode()
    for text in ["广州市人事电子政务系统", "政务服务网", "返回门户", "返回系统", "帮 助", "退出（注销）",
                 applicant.full_name, "用户类型：", cn_date_with_weekday(timezone.localdate())]:  # fmt: skip
        assert text in html, text
    assert "添加应用" in html
    assert "温馨提示" in html and "hrssgz@gzpi.gov.cn" in html and "hrssgz@gz.gov.cn" in html
    # Logging out is a POST with the CSRF token.
    assert 'action="/accounts/logout/"' in html and "csrfmiddlewaretoken" in html


def test_portal_shows_the_user_type_chosen_at_login(client, applicant):
    from tests.accounts.test_views_login import login_post
    from tests.factories import EmployerAdminFactory

    EmployerAdminFactory(user=applicant)
    login_post(client, applicant.username, user_type="employer")
    html = client.get("/").content.decode()
    assert '<span data-testid="user-type">单位</span>' in html


def test_a_new_user_is_invited_to_add_applications(applicant_client):
    html = applicant_client.get("/").content.decode()
    assert 'data-testid="no-apps"' in html
    assert "点击“添加应用”，添加相关人事人才电子政务系统应用办理系统业务" in html


def test_catalogue_lists_every_subsystem_of_the_seed_honestly(applicant_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        response = applicant_client.get(reverse("portal:catalogue"))
    html = response.content.decode()
    subsystems = fixture_records(SUBSYSTEMS)
    for record in subsystems:
        assert record["fields"]["name"] in html, record
    assert html.count('data-testid="catalogue-provided"') == 1
    assert html.count('data-testid="catalogue-not-provided"') == len(subsystems) - 1
    assert "本安装未提供" in html
    assert reverse("portal:subsystem_add", args=[TALENT_SUBSYSTEM_SLUG]) in html


def test_adding_the_talent_system_puts_it_on_the_portal(applicant_client, applicant):
    response = applicant_client.post(reverse("portal:subsystem_add", args=[TALENT_SUBSYSTEM_SLUG]))
    assert response.status_code == 302 and response.url == reverse("portal:home")
    assert UserSubsystem.objects.filter(user=applicant, subsystem__slug=TALENT_SUBSYSTEM_SLUG).exists()
    html = applicant_client.get("/").content.decode()
    assert 'data-testid="my-app"' in html and reverse("applications:home") in html
    catalogue = applicant_client.get(reverse("portal:catalogue")).content.decode()
    assert "已添加" in catalogue
    # Adding twice changes nothing.
    applicant_client.post(reverse("portal:subsystem_add", args=[TALENT_SUBSYSTEM_SLUG]))
    assert UserSubsystem.objects.filter(user=applicant).count() == 1


def test_a_subsystem_not_provided_here_cannot_be_added(applicant_client, applicant):
    response = applicant_client.post(reverse("portal:subsystem_add", args=["civil-servant"]), follow=True)
    assert "本安装未提供，无法添加" in response.content.decode()
    assert not UserSubsystem.objects.filter(user=applicant).exists()


def test_adding_is_post_only_and_csrf_protected(applicant, applicant_client):
    url = reverse("portal:subsystem_add", args=[TALENT_SUBSYSTEM_SLUG])
    assert applicant_client.get(url).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(applicant, backend="django.contrib.auth.backends.ModelBackend")
    assert strict.post(url).status_code == 403
    assert not UserSubsystem.objects.filter(user=applicant).exists()


def test_unknown_subsystem_is_404(applicant_client):
    assert applicant_client.post(reverse("portal:subsystem_add", args=["no-such-system"])).status_code == 404


def test_portal_home_has_bounded_queries(applicant_client, applicant, django_assert_max_num_queries):
    for subsystem in Subsystem.objects.filter(is_provided=True):
        UserSubsystem.objects.create(user=applicant, subsystem=subsystem)
    with django_assert_max_num_queries(8):
        applicant_client.get("/")


def test_help_and_gov_service_pages(client, applicant_client):
    help_html = client.get(reverse("portal:help")).content.decode()
    assert "使用步骤" in help_html and "广州市人才引进申报办理指引" in help_html
    assert "政务服务网" in applicant_client.get(reverse("portal:gov_service")).content.decode()


def test_every_seeded_subsystem_entry_route_resolves():
    # The 门户 reverses these names with no fallback: a seed naming a missing route fails here.
    for subsystem in Subsystem.objects.exclude(entry_url_name=""):
        subsystem.full_clean()
    assert Subsystem.objects.get(slug=TALENT_SUBSYSTEM_SLUG).entry_url_name == "applications:home"


def test_a_subsystem_entry_route_that_does_not_resolve_is_refused_by_validation():
    subsystem = Subsystem(slug="x-system", name="某系统", entry_url_name="applications:nowhere")
    with pytest.raises(ValidationError) as refused:
        subsystem.full_clean()
    assert refused.value.message_dict["entry_url_name"] == ["没有名为“applications:nowhere”的入口路由。"]
