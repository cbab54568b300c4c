"""个人信息查阅记录: every staff view of a person's data writes one row; an out-of-task view needs a
reason first; the applicant sees their own rows and nobody else's; the city administrator filters
and exports them."""

import csv
import io

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from applications.choices import Status
from audit.models import PersonalDataAccess
from hukou_card.services import cards_issue_for_application
from tests import factories
from tests.builders import build_application, give_access_reason

pytestmark = pytest.mark.django_db


def detail_url(app):
    return reverse("review:detail", args=[app.public_id])


def attachment_url(app, attachment):
    return reverse("review:attachment", args=[app.public_id, attachment.public_id])


def rows_of(user):
    return list(PersonalDataAccess.objects.filter(subject=user).order_by("id"))


def test_a_reviewer_opening_an_application_in_review_writes_one_row(login_client, reviewer):
    app = build_application(Status.UNDER_REVIEW)
    client = login_client(reviewer)
    response = client.get(detail_url(app), REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 200 and app.id_number in response.content.decode()
    (row,) = rows_of(app.applicant)
    assert row.viewer == reviewer and row.viewer_role == "reviewer"
    assert row.viewer_bureau == "广州市天河区人力资源和社会保障局"
    assert row.what == PersonalDataAccess.What.APPLICATION and row.application_id == app.pk
    assert row.application_number == app.number
    assert row.purpose == "审核" and row.reason == "" and row.ip_address == "192.0.2.7"


def test_a_scan_writes_one_row_naming_the_document(login_client, reviewer):
    app = build_application(Status.SUBMITTED)
    attachment = app.attachments.select_related("document").first()
    client = login_client(reviewer)
    response = client.get(attachment_url(app, attachment))
    assert response.status_code == 200
    (row,) = rows_of(app.applicant)
    assert row.what == PersonalDataAccess.What.ATTACHMENT and row.item == attachment.get_kind_display()


def test_a_view_that_answers_404_writes_nothing(login_client, other_reviewer):
    app = build_application(Status.UNDER_REVIEW)  # 天河区: not the other reviewer's district
    assert login_client(other_reviewer).get(detail_url(app)).status_code == 404
    assert rows_of(app.applicant) == []


def test_an_application_already_decided_asks_for_a_reason_first(login_client, reviewer):
    app = build_application(Status.REJECTED)
    attachment = app.attachments.first()
    client = login_client(reviewer)
    asked = client.get(detail_url(app))
    page = asked.content.decode()
    assert asked.status_code == 200 and "说明查阅理由" in page and app.id_number not in page
    # Not even a scan before the reason is given.
    assert client.get(attachment_url(app, attachment))["Location"] == detail_url(app)
    empty = client.post(detail_url(app), {"reason": ""})
    assert empty.status_code == 400 and "请填写查阅理由。" in empty.content.decode()
    assert rows_of(app.applicant) == []

    give_access_reason(client, app, "申请人申请开通再次申报权限，核对原审核意见")
    shown = client.get(detail_url(app))
    assert shown.status_code == 200 and app.id_number in shown.content.decode()
    assert client.get(attachment_url(app, attachment)).status_code == 200
    detail_row, scan_row = rows_of(app.applicant)
    for row in (detail_row, scan_row):
        assert row.purpose == "其他（已说明理由）"
        assert row.reason == "申请人申请开通再次申报权限，核对原审核意见"
    assert scan_row.what == PersonalDataAccess.What.ATTACHMENT


def test_the_page_after_a_decision_that_closes_the_task_needs_no_reason(login_client, reviewer):
    app = build_application(Status.UNDER_REVIEW)
    client = login_client(reviewer)
    response = client.post(
        reverse("review:decide", args=[app.public_id, "reject"]), {"reject-reason": "社保缴费月数不足。"}
    )
    assert response.status_code == 302
    assert app.id_number in client.get(detail_url(app)).content.decode()
    (row,) = rows_of(app.applicant)
    assert row.reason == "本人作出“审核不通过”决定后查看"


def test_a_search_writes_a_row_for_each_person_it_returned(login_client, reviewer):
    found = build_application(Status.SUBMITTED)
    other = build_application(Status.SUBMITTED)
    client = login_client(reviewer)
    client.get(reverse("review:queue"))
    assert PersonalDataAccess.objects.count() == 0  # the plain queue is the task list, masked
    response = client.get(reverse("review:queue"), {"q": found.id_number})
    assert response.status_code == 200
    (row,) = rows_of(found.applicant)
    assert row.what == PersonalDataAccess.What.SEARCH and row.purpose == "查询"
    assert rows_of(other.applicant) == []


def test_the_police_desk_card_and_pdf_write_one_row_each(login_client, police_officer, django_capture_on_commit_callbacks):
    app = build_application(Status.PUBLISHED, issue_cards=False)
    with django_capture_on_commit_callbacks(execute=True):
        cards = cards_issue_for_application(application_id=app.pk)
    card = next(card for card in cards if card.is_main)
    client = login_client(police_officer)
    assert client.get(reverse("hukou_card:police_detail", args=[card.public_id])).status_code == 200
    assert client.get(reverse("hukou_card:police_pdf", args=[card.public_id])).status_code == 200
    detail_row, pdf_row = rows_of(app.applicant)
    assert (detail_row.what, pdf_row.what) == (PersonalDataAccess.What.CARD, PersonalDataAccess.What.CARD_PDF)
    assert detail_row.viewer_bureau == "公安机关户政窗口" and detail_row.purpose == "入户办理"
    assert pdf_row.item == card.number


def test_a_row_cannot_be_changed_or_deleted(login_client, reviewer):
    app = build_application(Status.UNDER_REVIEW)
    login_client(reviewer).get(detail_url(app))
    (row,) = rows_of(app.applicant)
    with pytest.raises(PermissionError):
        row.save()
    with pytest.raises(PermissionError):
        row.delete()


@pytest.mark.postgres
def test_postgresql_refuses_an_update_of_a_row(login_client, reviewer):
    from django.db import DatabaseError, transaction

    app = build_application(Status.UNDER_REVIEW)
    login_client(reviewer).get(detail_url(app))
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        PersonalDataAccess.objects.filter(subject=app.applicant).update(reason="改写")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        PersonalDataAccess.objects.filter(subject=app.applicant)._raw_delete(connection.alias)


# --- the applicant's page --------------------------------------------------------------------------


def test_the_applicant_sees_their_own_log_and_nobody_elses(login_client, reviewer, settings):
    mine = build_application(Status.UNDER_REVIEW)
    theirs = build_application(Status.UNDER_REVIEW)
    staff = login_client(reviewer)
    staff.get(detail_url(mine))
    staff.get(detail_url(theirs))
    staff.get(attachment_url(theirs, theirs.attachments.first()))
    page = login_client(mine.applicant).get(reverse("portal:access_log")).content.decode()
    assert page.count('data-testid="access-row"') == 1
    assert "广州市天河区人力资源和社会保障局 区人社局审核员" in page and "审核" in page
    assert mine.number in page and theirs.number not in page
    assert reviewer.full_name not in page  # names only when the operator chooses
    settings.PRIVACY_SHOW_STAFF_NAMES = True
    assert reviewer.full_name in login_client(mine.applicant).get(reverse("portal:access_log")).content.decode()
    empty = login_client(factories.UserFactory()).get(reverse("portal:access_log")).content.decode()
    assert "暂无工作人员查阅您个人信息的记录" in empty


def test_the_applicant_page_reads_the_same_queries_for_one_row_and_thirty(
    login_client, reviewer, django_assert_num_queries
):
    app = build_application(Status.UNDER_REVIEW)
    staff = login_client(reviewer)
    staff.get(detail_url(app))
    client = login_client(app.applicant)
    url = reverse("portal:access_log")
    client.get(url)
    # The user, the count of rows, the page of rows with their viewers; the session adds one only
    # when it is read from the database (cached_db reads it from Redis once it is cached).
    expected = 3 if settings.SESSION_ENGINE.endswith("cached_db") else 4
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200
    for _ in range(29):
        staff.get(detail_url(app))
    with django_assert_num_queries(expected):
        page = client.get(url).content.decode()
    assert page.count('data-testid="access-row"') == 30


# --- the city administrator's filter and export ------------------------------------------------------


def test_the_city_administrator_filters_by_staff_applicant_and_period_and_exports_csv(
    login_client, reviewer, city_admin, django_assert_max_num_queries
):
    first = build_application(Status.UNDER_REVIEW)
    second = build_application(Status.UNDER_REVIEW)
    login_client(reviewer).get(detail_url(first))
    login_client(city_admin).get(detail_url(second))
    admin = login_client(city_admin)
    url = reverse("review:access_log")
    # Session, user, its refresh, the count and the page of rows with viewer and subject (joined):
    # the same for two rows or fifty.
    with django_assert_max_num_queries(7):
        page = admin.get(url).content.decode()
    assert page.count('data-testid="access-row"') == 2
    by_staff = admin.get(url, {"viewer": reviewer.username}).content.decode()
    assert by_staff.count('data-testid="access-row"') == 1 and first.number in by_staff
    by_subject = admin.get(url, {"subject": second.id_number}).content.decode()
    assert by_subject.count('data-testid="access-row"') == 1 and second.number in by_subject
    future = admin.get(url, {"date_from": "2099-01-01"}).content.decode()
    assert 'data-testid="access-row"' not in future
    wrong = admin.get(url, {"date_from": "2026-12-31", "date_to": "2026-12-01"}).content.decode()
    assert "截止日期不能早于起始日期。" in wrong

    export = admin.get(url, {"viewer": reviewer.username, "export": "csv"})
    assert export["Content-Type"].startswith("text/csv")
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    header, *lines = list(csv.reader(io.StringIO(text)))
    assert header[0] == "查阅时间" and len(lines) == 1
    assert lines[0][1] == reviewer.username and lines[0][5] == first.applicant.username
    assert lines[0][7] == first.number and lines[0][10] == "审核"


def test_a_reviewer_may_not_read_the_access_log(login_client, reviewer):
    assert login_client(reviewer).get(reverse("review:access_log")).status_code == 403


def test_a_decision_refused_on_a_decided_application_still_records_the_view(login_client, reviewer):
    app = build_application(Status.REJECTED)
    client = login_client(reviewer)
    # A grant without its reason: the form comes back on the detail page (no reason was asked).
    response = client.post(reverse("review:decide", args=[app.public_id, "grant"]), {"grant-reason": ""})
    assert response.status_code == 200 and app.id_number in response.content.decode()
    (row,) = rows_of(app.applicant)
    assert row.purpose == "作出“开通再次申报权限”决定"


def test_the_admin_change_page_of_an_application_writes_a_row(login_client):
    admin_user = factories.CityAdminFactory(is_staff=True, is_superuser=True)
    app = build_application(Status.PUBLISHED, issue_cards=False)
    response = login_client(admin_user).get(reverse("admin:applications_application_change", args=[app.pk]))
    assert response.status_code == 200
    (row,) = rows_of(app.applicant)
    assert row.purpose == "管理后台查阅" and row.viewer == admin_user


def test_the_admin_change_page_of_a_card_writes_a_row(login_client, django_capture_on_commit_callbacks):
    admin_user = factories.CityAdminFactory(is_staff=True, is_superuser=True)
    app = build_application(Status.PUBLISHED, issue_cards=False)
    with django_capture_on_commit_callbacks(execute=True):
        (card,) = cards_issue_for_application(application_id=app.pk)
    client = login_client(admin_user)
    assert client.get(reverse("admin:hukou_card_hukoucard_changelist")).status_code == 200
    assert rows_of(app.applicant) == []  # the list is no view of one person's page
    assert client.get(reverse("admin:hukou_card_hukoucard_change", args=[card.pk])).status_code == 200
    (row,) = rows_of(app.applicant)
    assert row.what == PersonalDataAccess.What.CARD and row.item == card.number


def test_the_csv_export_opens_a_formula_as_text(login_client, reviewer, city_admin):
    app = build_application(Status.REJECTED)
    client = login_client(reviewer)
    give_access_reason(client, app, "=HYPERLINK(\"http://example.invalid\")")
    client.get(detail_url(app))
    export = login_client(city_admin).get(reverse("review:access_log"), {"export": "csv"})
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    (line,) = list(csv.reader(io.StringIO(text)))[1:]
    assert line[11] == "'=HYPERLINK(\"http://example.invalid\")"


def test_the_applicant_side_preview_records_a_staff_view_and_asks_for_a_reason_when_decided(
    login_client, reviewer
):
    open_app = build_application(Status.SUBMITTED)
    closed_app = build_application(Status.REJECTED)
    client = login_client(reviewer)
    preview = lambda app: reverse("applications:attachment_preview", args=[app.attachments.first().public_id])  # noqa: E731
    assert client.get(preview(open_app)).status_code == 200
    (row,) = rows_of(open_app.applicant)
    assert row.what == PersonalDataAccess.What.ATTACHMENT and row.purpose == "审核"
    assert client.get(preview(closed_app))["Location"] == detail_url(closed_app)
    assert rows_of(closed_app.applicant) == []
    # The applicant's own preview is no staff view.
    login_client(open_app.applicant).get(preview(open_app))
    assert len(rows_of(open_app.applicant)) == 1
