"""The detail page and the decisions taken from it: thin views over the services."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from applications.choices import Status
from applications.models import ApplicantBar
from applications.retention import RULE_CLOSED_SCANS
from audit.actions import AuditAction
from audit.models import AuditEntry, RetentionDeletion
from quota.models import QuotaReservation
from review.models import Objection
from tests import factories
from tests.builders import build_application, give_access_reason

# Files are stored here: each test runs on the local folder and on a bucket (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.both_storages]


def detail_url(app):
    return reverse("review:detail", args=[app.public_id])


def decide_url(app, decision):
    return reverse("review:decide", args=[app.public_id, decision])


def test_detail_shows_every_answer_derived_facts_attachments_and_the_trail(reviewer_client, reviewer):
    submitted_at = timezone.now() - datetime.timedelta(days=3)
    # Deliberately a state the services never make: submitted although over the age limit and without
    # the 户口簿, to show the page re-checks the answers on the submission day. So a factory row.
    app = factories.ApplicationFactory(
        submitted=True,
        status=Status.SUBMITTED,
        full_name="张小明",
        accept_due_on=timezone.localdate() + datetime.timedelta(days=7),
        birth_date=timezone.localdate(submitted_at).replace(year=timezone.localdate(submitted_at).year - 46),
        submitted_at=submitted_at,
        last_submitted_at=submitted_at,
        graduate_school="华南理工大学",
        intended_address="广州市天河区五山路381号",
    )
    factories.AccompanyingPersonFactory(application=app, full_name="李四")
    attachment = factories.AttachmentFactory(application=app)
    right = factories.EmployerAdminFactory(employer=app.employer)
    from applications import services

    services.employer_confirmation_record(application_id=app.pk, by=right.user, confirmed=True, note="在职三年")
    response = reviewer_client.get(detail_url(app))
    page = response.content.decode()
    for text in ("张小明", app.id_number, "华南理工大学", "广州市天河区五山路381号", app.employer.name, "李四", "计算机科学与技术"):
        assert text in page, text
    assert "46周岁" in page and "本类别上限 45周岁" in page
    assert "资格条件核对未通过" in page and "超过" in page  # applications.eligibility, on the submission day
    assert "未上传必传附件“户口簿”" in page
    assert "单位已确认在职" in page and "在职三年" in page
    image_url = reverse("review:attachment", args=[app.public_id, attachment.public_id])
    assert f'src="{image_url}"' in page and 'data-bs-target="#attachment-viewer"' in page
    assert "用人单位确认在职" in page  # the audit trail
    image = reviewer_client.get(image_url)
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    assert image["Cache-Control"] == "private, no-store"
    assert b"".join(image.streaming_content)[:2] == b"\xff\xd8"


def test_detail_offers_only_the_decisions_of_the_state(reviewer_client):
    submitted = reviewer_client.get(detail_url(build_application(Status.SUBMITTED))).content.decode()
    assert "受理</button>" in submitted and "退回补正" in submitted and "审核通过，进入公示" not in submitted
    review = reviewer_client.get(detail_url(build_application(Status.UNDER_REVIEW))).content.decode()
    assert "审核通过，进入公示" in review and "审核不通过" in review and "延长审核期限" in review
    rejected_app = build_application(Status.REJECTED)
    give_access_reason(reviewer_client, rejected_app)
    rejected = reviewer_client.get(detail_url(rejected_app)).content.decode()
    assert "开通再次申报权限" in rejected and "审核通过，进入公示" not in rejected


def test_accept_through_the_console_records_the_ip(login_client, reviewer):
    app = build_application(Status.SUBMITTED)
    client = login_client(reviewer)
    response = client.post(decide_url(app, "accept"), REMOTE_ADDR="192.0.2.44")
    assert response.status_code == 302 and response["Location"] == detail_url(app)
    app.refresh_from_db()
    assert app.status == Status.UNDER_REVIEW
    row = AuditEntry.objects.get(application=app, action=AuditAction.ACCEPT)
    assert (row.actor, row.ip_address) == (reviewer, "192.0.2.44")
    assert "已受理该申报" in client.get(detail_url(app)).content.decode()


def test_return_through_the_console_sends_the_complete_list(reviewer_client):
    app = build_application(Status.SUBMITTED)
    reviewer_client.post(decide_url(app, "return"), {"return-items": "1. 身份证不清晰\n2、补充学位鉴定\n\n"})
    app.refresh_from_db()
    assert app.status == Status.RETURNED
    assert app.correction_items == ["身份证不清晰", "补充学位鉴定"]


def test_a_decision_with_a_missing_reason_says_so_beside_the_field(reviewer_client):
    app = build_application(Status.UNDER_REVIEW)
    history = list(AuditEntry.objects.filter(application=app).values_list("pk", flat=True))
    response = reviewer_client.post(decide_url(app, "reject"), {"reject-reason": ""})
    assert response.status_code == 200
    page = response.content.decode()
    assert "请填写审核不通过的理由" in page
    assert "<details class=\"decision\" open>" in page
    response = reviewer_client.post(decide_url(app, "bar"), {"bar-reason": "学历证书伪造"})
    page = response.content.decode()
    assert "请确认已查实虚假材料情形" in page and "学历证书伪造" in page  # the text typed is kept
    app.refresh_from_db()
    assert app.status == Status.UNDER_REVIEW
    assert list(AuditEntry.objects.filter(application=app).values_list("pk", flat=True)) == history


def test_the_blank_decision_forms_laid_out_once_never_show_another_pages_errors(reviewer_client):
    """The blank forms' HTML is kept per process (review.views.decision_form_html); a form bound
    with errors is laid out for its own request only, before and after the blank one is kept."""
    app = build_application(Status.UNDER_REVIEW)
    blank = reviewer_client.get(detail_url(app)).content.decode()
    assert "请填写审核不通过的理由" not in blank and 'id="id_reject-reason"' in blank
    refused = reviewer_client.post(decide_url(app, "reject"), {"reject-reason": "<b>不完整" * 200})
    page = refused.content.decode()
    assert "请控制在1000字以内" in page and "&lt;b&gt;不完整" in page
    again = reviewer_client.get(detail_url(app)).content.decode()
    assert _per_request(again) == _per_request(blank)
    assert "请控制在1000字以内" not in again and "不完整" not in again


def _csrf_token(page: str) -> str:
    return page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]


def _per_request(page: str) -> str:
    """The page without what each request draws anew: its CSRF token and the session's seconds
    left, which is a second less when the two requests straddle a second."""
    page = page.replace(_csrf_token(page), "TOKEN")
    return re.sub(r'data-session-age="\d+"', 'data-session-age="N"', page)


def test_a_blank_decision_form_is_kept_per_language():
    from django import forms
    from django.utils import translation
    from django.utils.translation import gettext_lazy

    from review.views import decision_form_html

    class ReasonForm(forms.Form):
        reason = forms.CharField(label=gettext_lazy("理由"))

    def label(html: str) -> str:
        return html.split('for="id_t-reason"', 1)[1].split("</label>", 1)[0]

    with translation.override("zh-hans"):
        assert "理由" in label(decision_form_html(ReasonForm(prefix="t")))
    with translation.override("en"):
        assert "Reason" in label(decision_form_html(ReasonForm(prefix="t")))
    with translation.override("zh-hans"):
        assert "理由" in label(decision_form_html(ReasonForm(prefix="t")))


def test_return_with_only_blank_lines_is_refused_and_the_input_kept(reviewer_client):
    app = build_application(Status.SUBMITTED)
    response = reviewer_client.post(decide_url(app, "return"), {"return-items": "  \n 1. \n"})
    assert "请列出需要申请人补正的全部事项" in response.content.decode()
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED


def test_approval_without_a_place_left_is_refused_with_the_message_and_stays_in_the_queue(reviewer_client, district):
    factories.QuotaFactory(district=district, total_places=0)
    app = build_application(Status.UNDER_REVIEW, subcategory="5.3")
    response = reviewer_client.post(decide_url(app, "approve"))
    assert response.status_code == 409
    assert "总量控制指标已用完（共0个）" in response.content.decode()
    app.refresh_from_db()
    assert app.status == Status.UNDER_REVIEW
    assert not QuotaReservation.objects.exists()
    assert app.number in reviewer_client.get(reverse("review:queue")).content.decode()


def test_a_decision_the_state_does_not_allow_is_refused_with_a_message(reviewer_client):
    app = build_application(Status.PUBLISHED)
    response = reviewer_client.post(decide_url(app, "accept"))
    assert response.status_code == 409
    assert "不能执行“受理”操作" in response.content.decode()


def test_unknown_decision_is_404_and_get_is_not_allowed(reviewer_client):
    app = build_application(Status.SUBMITTED)
    assert reviewer_client.post(decide_url(app, "publish")).status_code == 404
    assert reviewer_client.get(decide_url(app, "accept")).status_code == 405
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED


def test_decisions_need_the_csrf_token(reviewer):
    app = build_application(Status.SUBMITTED)
    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer, backend="django.contrib.auth.backends.ModelBackend")
    assert client.post(decide_url(app, "accept")).status_code == 403
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED
    page = client.get(detail_url(app)).content.decode()
    assert page.count('name="csrfmiddlewaretoken"') >= 3


def test_grant_and_bar_from_the_console(reviewer_client):
    rejected = build_application(Status.REJECTED)
    reviewer_client.post(decide_url(rejected, "grant"), {"grant-reason": "补正后符合条件"})
    assert rejected.applicant.reapplication_grants.count() == 1
    assert "已开通" in reviewer_client.get(detail_url(rejected)).content.decode()
    app = build_application(Status.UNDER_REVIEW)
    reviewer_client.post(decide_url(app, "bar"), {"bar-reason": "学历证书伪造", "bar-confirm": "on"})
    app.refresh_from_db()
    assert app.status == Status.REJECTED
    assert "取消申请资格至" in reviewer_client.get(detail_url(app)).content.decode()


def test_extend_from_the_console(reviewer_client):
    app = build_application(Status.UNDER_REVIEW, on=datetime.date(2025, 9, 26))
    assert app.decision_due_on == datetime.date(2025, 10, 23)
    reviewer_client.post(decide_url(app, "extend"), {"extend-reason": "需函询发证机关"})
    app.refresh_from_db()
    assert app.decision_due_on == datetime.date(2025, 11, 6)
    assert "延长审核期限（10个工作日）" not in reviewer_client.get(detail_url(app)).content.decode()


def test_detail_page_query_count_does_not_grow_with_attachments_and_trail(reviewer_client, django_assert_max_num_queries):
    app = build_application(Status.SUBMITTED)
    factories.AttachmentFactory(application=app)
    factories.AuditEntryFactory(application=app)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        reviewer_client.get(detail_url(app))
    for _ in range(6):
        factories.AttachmentFactory(application=app)
        factories.AuditEntryFactory(application=app)
        factories.AccompanyingPersonFactory(application=app)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert reviewer_client.get(detail_url(app)).status_code == 200


def test_reviewer_sees_each_accompanying_persons_own_details(reviewer_client):
    app = factories.ApplicationFactory(submitted=True, status=Status.SUBMITTED)
    factories.AccompanyingPersonFactory(
        application=app,
        full_name="周敏",
        ethnicity="壮族",
        hukou_same_as_applicant=False,
        original_registry_office="广西壮族自治区南宁市公安局青秀分局",
        original_hukou_address="广西壮族自治区南宁市青秀区民族大道100号",
    )
    factories.AccompanyingPersonFactory(
        application=app,
        full_name="林小满",
        relation="女儿",
        gender="女",
        id_number=factories.make_resident_id(factories.years_ago(9), male=False),
        birth_date=factories.years_ago(9),
    )
    page = reviewer_client.get(detail_url(app)).content.decode()
    family = page[page.index('id="s-family"') :]
    family = family[: family.index("</section>")]
    for text in ("壮族", "已婚", "未婚", "广西壮族自治区南宁市公安局青秀分局", "广西壮族自治区南宁市青秀区民族大道100号"):
        assert text in family, text
    assert "与主迁人相同" in family and app.original_registry_office in family


def _page_statements(client, url) -> tuple[str, list[str]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # the cached reference lists and calendar, once
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url).content.decode()
    # The page's own statements. The session is read from Redis in production (cached_db); with
    # no REDIS_URL (`make test` on SQLite) it is one more SELECT that no page can save.
    return page, [
        q["sql"]
        for q in queries.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE")) and ' FROM "django_session"' not in q["sql"]
    ]


def test_detail_page_of_an_open_task_answers_in_at_most_8_queries(reviewer_client):
    """Issue 15: ≤ 8 queries per page. The 随迁人 are read once for the table, the eligibility check
    and the required attachments; an application never in a notice has no 异议 to look up."""
    app = build_application(Status.UNDER_REVIEW)
    for name in ("李一", "李二", "李三"):
        factories.AccompanyingPersonFactory(application=app, full_name=name)
    page, statements = _page_statements(reviewer_client, detail_url(app))
    assert all(name in page for name in ("李一", "李二", "李三"))
    assert len(statements) <= 8, "\n".join(statements)
    assert sum(' FROM "applications_accompanyingperson"' in sql for sql in statements) == 1
    assert not any(' FROM "review_objection"' in sql for sql in statements)
    # The reference tables come from memory: PostgreSQL plans the application's query with nine
    # relations, not twelve (its genetic optimizer starts at twelve: 10-35 ms of planning).
    application_query = next(sql for sql in statements if sql.startswith('SELECT "applications_application"'))
    assert application_query.count(" JOIN ") <= 8
    assert (
        "applications_talentcategory" not in application_query
        and 'JOIN "portal_district"' not in application_query
    )
    assert app.subcategory.name in page and app.district.name in page


def test_detail_page_reads_each_table_once_with_the_columns_it_shows(reviewer_client, district):
    """The application is read once with what the page shows (review.selectors.
    console_application_detail): a column or row read later would cost a query of its own. Shown
    here besides the answers: the employer, who confirmed for it, the notice and the quota share
    taken, a key employer's own and the district's (whose district comes from memory)."""
    from applications import services

    key_employer = factories.EmployerFactory(is_key_employer=True, district=district)
    factories.QuotaFactory(district=district, employer=key_employer, total_places=1)
    factories.QuotaFactory(district=district, total_places=5)
    own_share = build_application(Status.IN_NOTICE, subcategory="5.4", employer=key_employer)
    district_share = build_application(Status.IN_NOTICE, subcategory="5.1")
    admin = factories.EmployerAdminFactory(employer=key_employer, user__full_name="王管理")
    services.employer_confirmation_record(application_id=own_share.pk, by=admin.user, confirmed=True, note="在职")
    for app, owner in ((own_share, key_employer.name), (district_share, district.name)):
        page, statements = _page_statements(reviewer_client, detail_url(app))
        assert f"{app.year}年 {owner} 总量控制指标" in page
        assert app.notice_entry.notice.title in page and app.employer.credit_code in page
        read = sorted(
            sql.split('"', 2)[1]  # SELECT "table"."id", ...: the table read
            for sql in statements
            if sql.startswith("SELECT") and ' FROM "django_session"' not in sql  # no Redis: the session
        )
        assert read == [
            "accounts_user",  # the reviewer
            "applications_accompanyingperson",
            "applications_application",
            "applications_attachment",
            "applications_auditentry",
            "review_objection",
        ], "\n".join(statements)
    assert "王管理（单位系统管理员）" in reviewer_client.get(detail_url(own_share)).content.decode()


def test_detail_page_reads_the_rating_with_the_application(login_client, reviewer, applicant):
    from review.services import service_rating_submit

    app = build_application(Status.REJECTED, applicant=applicant, reviewer=reviewer)
    service_rating_submit(application_id=app.pk, by=applicant, score=2, comment="电话一直无人接听")
    client = login_client(reviewer)
    give_access_reason(client, app)
    page, statements = _page_statements(client, detail_url(app))
    assert "电话一直无人接听" in page
    assert not any(' FROM "review_servicerating"' in sql for sql in statements)


# --- issue 15: ≤ 8 statements on a decided application's page too ---------------------------------


def _published_with_a_dismissed_objection(reviewer):
    """Published, its notice had an objection found unfounded, cards issued."""
    app = build_application(Status.PUBLISHED, reviewer=reviewer)
    factories.ObjectionFactory(
        entry=app.notice_entry, status=Objection.Status.DISMISSED, resolution="经核实，申请人确在该单位工作。",
        decided_by=reviewer, decided_at=timezone.now(),
    )  # fmt: skip
    return app


def _rejected_after_an_upheld_objection(reviewer):
    """Rejected from its notice (异议成立), its scans past retention, a 再次申报权限 given since."""
    from review.services import objection_uphold, reapplication_grant

    app = build_application(Status.IN_NOTICE, reviewer=reviewer, objection=True)
    objection_uphold(objection_id=app.notice_entry.objections.get().pk, by=reviewer, resolution="异议属实")
    reapplication_grant(applicant=app.applicant, year=app.year, by=reviewer, reason="补充材料后重新申报")
    RetentionDeletion.objects.create(
        rule=RULE_CLOSED_SCANS, kind="library_document", label="学历证书（diploma.jpg）",
        application_number=app.number,
    )  # fmt: skip
    return app


def _rejected_and_barred(reviewer):
    """Rejected for false materials, the applicant barred (办法 第十一条)."""
    from review.services import applicant_bar

    app = build_application(Status.REJECTED, reviewer=reviewer)
    applicant_bar(applicant=app.applicant, by=reviewer, reason="提供虚假学历证明", application=app)
    return app


def _withdrawn_with_deleted_scans(reviewer):
    app = build_application(Status.WITHDRAWN, reviewer=reviewer)
    RetentionDeletion.objects.create(
        rule=RULE_CLOSED_SCANS,
        kind="library_document",
        label="身份证（id.jpg）",
        application_number=app.number,
    )
    return app


DECIDED = {
    "published, objection dismissed, cards": _published_with_a_dismissed_objection,
    "rejected after an upheld objection, grant, deleted scans": _rejected_after_an_upheld_objection,
    "rejected, applicant barred": _rejected_and_barred,
    "withdrawn, deleted scans": _withdrawn_with_deleted_scans,
}


def _with_family_and_attachments(app, count: int) -> None:
    start = app.accompanying_persons.count()
    for i in range(start, start + count):
        factories.AccompanyingPersonFactory(application=app, full_name=f"随迁{i}")
        factories.AttachmentFactory(application=app)


@pytest.mark.parametrize("kind", DECIDED)
def test_decided_application_page_answers_in_at_most_8_queries_whatever_its_history(
    login_client, reviewer, kind
):
    """Issue 15: ≤ 8 statements per page whatever the data. The bar and the unused grant come with
    the application; the page's statements do not grow with 随迁人 or attachments."""
    from review.services import service_rating_submit

    app = DECIDED[kind](reviewer)
    if app.status in (Status.PUBLISHED, Status.REJECTED):
        service_rating_submit(application_id=app.pk, by=app.applicant, score=2, comment="等待时间较长")
    client = login_client(reviewer)
    give_access_reason(client, app)
    _with_family_and_attachments(app, 1)
    page, one = _page_statements(client, detail_url(app))
    assert "随迁0" in page
    assert len(one) <= 8, "\n".join(one)
    # Subqueries of the application's statement, not statements of their own.
    assert not any(sql.startswith('SELECT "applications_applicantbar"') for sql in one)
    assert not any(sql.startswith('SELECT "applications_reapplicationgrant"') for sql in one)
    _with_family_and_attachments(app, 4)
    page, five = _page_statements(client, detail_url(app))
    assert "随迁4" in page
    assert len(five) == len(one), "\n".join(five)


def test_decided_application_page_shows_what_the_subqueries_read(login_client, reviewer):
    barred = _rejected_and_barred(reviewer)
    granted = _rejected_after_an_upheld_objection(reviewer)
    client = login_client(reviewer)
    for app in (barred, granted):
        give_access_reason(client, app)
    page = client.get(detail_url(barred)).content.decode()
    until = ApplicantBar.objects.get(applicant=barred.applicant).barred_until
    assert f"该申请人因提供虚假材料被取消申请资格至 {until:%Y年%m月%d日}" in page
    assert "开通再次申报权限" not in page  # a barred applicant cannot be granted one
    page = client.get(detail_url(granted)).content.decode()
    assert f"已开通{granted.year}年度再次申报权限（尚未使用）" in page
    assert "异议属实" in page
    assert "学历证书（diploma.jpg）" in page


@pytest.mark.parametrize("kind", DECIDED)
def test_decided_application_asks_the_reason_in_at_most_8_queries(reviewer_client, reviewer, kind):
    app = DECIDED[kind](reviewer)
    _with_family_and_attachments(app, 5)
    page, statements = _page_statements(reviewer_client, detail_url(app))
    assert 'name="reason"' in page
    assert len(statements) <= 8, "\n".join(statements)
