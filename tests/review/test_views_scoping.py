"""District scoping of every console URL: a reviewer of 天河区 gets 404 on 白云区's objects, and
nothing changes; anonymous users are sent to the console login, applicants are refused."""

import pytest
from django.urls import reverse

from applications.choices import Status
from audit.models import AuditEntry
from review import services
from review.models import Objection, PublicNotice
from tests import factories
from tests.builders import build_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def baiyun_objects(db, other_district):
    """白云区's application in notice with an attachment and an open objection, and one submitted."""
    city_admin = factories.CityAdminFactory()
    in_notice = build_application(Status.UNDER_REVIEW, district=other_district)
    attachment = factories.AttachmentFactory(application=in_notice)
    services.application_approve(application_id=in_notice.pk, by=city_admin)
    in_notice.refresh_from_db()
    objection = services.objection_raise(
        entry_id=in_notice.notice_entry.pk, contact_name="王五", contact_phone="13900139000",
        description="申请人并未在该单位实际工作。",
    )  # fmt: skip
    submitted = build_application(Status.SUBMITTED, district=other_district)
    return {
        "app": in_notice,
        "submitted": submitted,
        "attachment": attachment,
        "objection": objection,
        "notice": in_notice.notice_entry.notice,
    }


def console_get_urls(o) -> list[str]:
    return [
        reverse("review:detail", args=[o["app"].public_id]),
        reverse("review:detail", args=[o["submitted"].public_id]),
        reverse("review:attachment", args=[o["app"].public_id, o["attachment"].public_id]),
        reverse("review:objection_detail", args=[o["objection"].public_id]),
        reverse("review:notice_detail", args=[o["notice"].public_id]),
    ]


def console_post_urls(o) -> list[tuple[str, dict]]:
    submitted, app = o["submitted"].public_id, o["app"].public_id
    return [
        (reverse("review:decide", args=[submitted, "accept"]), {}),
        (reverse("review:decide", args=[submitted, "return"]), {"return-items": "补充材料"}),
        (reverse("review:decide", args=[app, "reject"]), {"reject-reason": "不符合"}),
        (reverse("review:decide", args=[app, "approve"]), {}),
        (reverse("review:decide", args=[app, "extend"]), {"extend-reason": "核查"}),
        (reverse("review:decide", args=[app, "grant"]), {"grant-reason": "开通"}),
        (reverse("review:decide", args=[app, "bar"]), {"bar-reason": "虚假", "bar-confirm": "on"}),
        (reverse("review:objection_decide", args=[o["objection"].public_id, "uphold"]), {"uphold-resolution": "成立"}),
        (reverse("review:objection_decide", args=[o["objection"].public_id, "dismiss"]), {"dismiss-resolution": "不成立"}),
        (reverse("review:notice_close", args=[o["notice"].public_id]), {}),
    ]


def test_every_console_url_is_404_for_a_reviewer_of_another_district(login_client, reviewer, baiyun_objects):
    client = login_client(reviewer)  # 天河区
    audit_rows = AuditEntry.objects.count()
    for url in console_get_urls(baiyun_objects):
        assert client.get(url).status_code == 404, url
    for url, data in console_post_urls(baiyun_objects):
        assert client.post(url, data).status_code == 404, url
    assert AuditEntry.objects.count() == audit_rows
    assert Objection.objects.get().status == Objection.Status.OPEN
    assert PublicNotice.objects.get().status == PublicNotice.Status.OPEN
    baiyun_objects["submitted"].refresh_from_db()
    assert baiyun_objects["submitted"].status == Status.SUBMITTED


def test_the_same_urls_work_for_the_districts_own_reviewer_and_the_city(login_client, other_reviewer, baiyun_objects):
    for user in (other_reviewer, factories.CityAdminFactory()):
        client = login_client(user)
        for url in console_get_urls(baiyun_objects):
            assert client.get(url).status_code == 200, url


def test_lists_show_only_the_reviewers_district(login_client, reviewer, other_reviewer, baiyun_objects):
    mine = build_application(Status.SUBMITTED)
    client = login_client(reviewer)
    queue = client.get(reverse("review:queue") + "?status=all").content.decode()
    assert mine.number in queue
    assert baiyun_objects["submitted"].number not in queue and baiyun_objects["app"].number not in queue
    assert baiyun_objects["objection"].public_id.hex[:8].upper() not in client.get(reverse("review:objections")).content.decode()
    assert baiyun_objects["notice"].title not in client.get(reverse("review:notices")).content.decode()
    quota_page = client.get(reverse("review:quota")).content.decode()
    assert "白云区" not in quota_page and "天河区" in quota_page
    other = login_client(other_reviewer).get(reverse("review:queue") + "?status=all").content.decode()
    assert baiyun_objects["submitted"].number in other and mine.number not in other


def test_anonymous_users_are_sent_to_the_console_login(client, baiyun_objects):
    urls = [reverse("review:queue"), reverse("review:quota"), *console_get_urls(baiyun_objects)]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("review:login") + "?next=")
    for url, data in console_post_urls(baiyun_objects):
        assert client.post(url, data).status_code == 302


@pytest.mark.parametrize("make_user", [factories.UserFactory, factories.PoliceFactory])
def test_applicants_and_police_are_refused(login_client, baiyun_objects, make_user):
    client = login_client(make_user())
    for url in [reverse("review:queue"), *console_get_urls(baiyun_objects)]:
        response = client.get(url)
        assert response.status_code == 403
        assert "无权访问审核工作台" in response.content.decode()
    for url, data in console_post_urls(baiyun_objects):
        assert client.post(url, data).status_code == 403


def test_employer_page_is_404_for_another_employer(login_client, baiyun_objects):
    own = factories.EmployerAdminFactory()
    client = login_client(own.user)
    assert client.get(reverse("employer:applications", args=[own.employer.public_id])).status_code == 200
    foreign = baiyun_objects["app"].employer
    assert client.get(reverse("employer:applications", args=[foreign.public_id])).status_code == 404
    response = client.post(
        reverse("employer:confirmation", args=[baiyun_objects["app"].public_id]),
        {f"a{baiyun_objects['app'].pk}-decision": "confirmed"},
    )
    assert response.status_code == 404
    baiyun_objects["app"].refresh_from_db()
    assert baiyun_objects["app"].employer_confirmation == "pending"


@pytest.mark.parametrize("status", ["pending", "refused", "cancelled"])
def test_employer_page_needs_an_approved_right(login_client, status):
    right = factories.EmployerAdminFactory(status=status)
    client = login_client(right.user)
    assert client.get(reverse("employer:applications", args=[right.employer.public_id])).status_code == 404
