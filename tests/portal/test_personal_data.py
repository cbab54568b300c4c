"""下载我的个人信息 and closing the account: the ZIP holds the applicant's data and nobody else's;
the password is asked again; the download is recorded; the account closes only when nothing is open."""

import datetime
import io
import json
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.choices import Status
from audit.actions import AuditAction
from audit.models import AuditEntry, PersonalDataAccess
from portal.models import PersonalDataExport
from tests import factories
from tests.builders import build_application

pytestmark = pytest.mark.django_db

PASSWORD = "Secret2026gz"


def _user_with_password(user):
    user.set_password(PASSWORD)
    user.save()
    return user


def _request_export(client, django_capture_on_commit_callbacks, password=PASSWORD):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("portal:privacy_export"), {"export-password": password})


def test_the_zip_holds_the_applicants_data_and_nobody_elses(
    login_client, reviewer, django_capture_on_commit_callbacks
):
    mine = build_application(Status.PUBLISHED)
    theirs = build_application(Status.UNDER_REVIEW)
    applicant = _user_with_password(mine.applicant)
    login_client(reviewer).get(reverse("review:detail", args=[theirs.public_id]))
    client = login_client(applicant)
    wrong = _request_export(client, django_capture_on_commit_callbacks, password="wrong123")
    assert wrong.status_code == 400 and "密码不正确，请重新输入。" in wrong.content.decode()
    assert not PersonalDataExport.objects.exists()

    assert _request_export(client, django_capture_on_commit_callbacks).status_code == 302
    export = PersonalDataExport.objects.get(user=applicant)
    assert export.status == PersonalDataExport.Status.READY
    assert export.expires_at - export.ready_at == datetime.timedelta(hours=24)
    page = client.get(reverse("portal:privacy")).content.decode()
    assert "下载包已生成" in page

    response = client.get(reverse("portal:privacy_export_download", args=[export.public_id]))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = archive.namelist()
    assert "README.txt" in names and "帐号信息.json" in names and "个人信息查阅记录.csv" in names
    assert "证件库/" in archive.read("README.txt").decode()
    account = json.loads(archive.read("帐号信息.json"))
    assert account["证件号码"] == applicant.id_number and account["登录帐号"] == applicant.username
    answers = json.loads(archive.read(f"申报/{mine.number}/申报信息.json"))
    assert answers["申报信息"]["身份证号码"] == mine.id_number
    assert "公示期满，公布" in archive.read(f"申报/{mine.number}/办理记录.csv").decode("utf-8-sig")
    scans = [n for n in names if n.startswith("证件库/")]
    assert {a["文件"] for a in answers["附件"]} <= set(scans) and answers["附件"]
    assert len(scans) == applicant.library_documents.count() > 0
    assert all(archive.read(n)[:2] == b"\xff\xd8" for n in scans)
    cards = [n for n in names if n.startswith("入户信息卡/")]
    assert cards and all(archive.read(n)[:4] == b"%PDF" for n in cards)
    everything = b"".join(archive.read(n) for n in names)
    for other in (theirs.number, theirs.id_number, theirs.full_name, theirs.applicant.username):
        assert other.encode() not in everything, other
    # The download is recorded.
    export.refresh_from_db()
    assert export.download_count == 1 and export.first_downloaded_at is not None
    assert AuditEntry.objects.filter(action=AuditAction.DATA_EXPORT_DOWNLOAD, subject_user=applicant).count() == 1


def test_someone_elses_export_is_404_and_an_expired_one_is_not_offered(
    login_client, applicant, other_applicant, django_capture_on_commit_callbacks, monkeypatch
):
    _user_with_password(applicant)
    _request_export(login_client(applicant), django_capture_on_commit_callbacks)
    export = PersonalDataExport.objects.get(user=applicant)
    url = reverse("portal:privacy_export_download", args=[export.public_id])
    assert login_client(other_applicant).get(url).status_code == 404
    real_now = timezone.now
    monkeypatch.setattr("django.utils.timezone.now", lambda: real_now() + datetime.timedelta(hours=25))
    assert login_client(applicant).get(url)["Location"] == reverse("portal:privacy")
    from portal.retention import retention_run

    name = export.file.name
    assert export.file.storage.exists(name)
    assert len(retention_run(dry_run=False).exports) == 1
    export.refresh_from_db()
    assert export.status == PersonalDataExport.Status.EXPIRED and not export.file.storage.exists(name)


def test_an_account_with_an_open_application_cannot_be_closed(login_client):
    app = build_application(Status.SUBMITTED)
    user = _user_with_password(app.applicant)
    page = login_client(user).get(reverse("portal:privacy")).content.decode()
    assert "您有尚未办结的申报" in page
    response = login_client(user).post(reverse("portal:account_close"), {"close-password": PASSWORD, "close-confirm": "on"})
    assert response.status_code == 409
    user.refresh_from_db()
    assert user.is_active and user.full_name == app.full_name


def test_closing_the_account_deletes_unused_scans_and_anonymises_but_keeps_the_decided_application(
    login_client, django_capture_on_commit_callbacks
):
    app = build_application(Status.REJECTED)
    user = _user_with_password(app.applicant)
    unused = factories.LibraryDocumentFactory(owner=user)
    used = list(user.library_documents.filter(attachments__isnull=False).distinct())
    client = login_client(user)
    missing = client.post(reverse("portal:account_close"), {"close-password": PASSWORD})
    assert missing.status_code == 400 and "请勾选确认后再注销帐号。" in missing.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal:account_close"), {"close-password": PASSWORD, "close-confirm": "on"})
    page = response.content.decode()
    assert response.status_code == 200 and "仍保留的信息" in page
    user.refresh_from_db()
    assert not user.is_active and not user.has_usable_password()
    assert user.id_number == "" and user.email == "" and user.full_name == "已注销用户"
    assert not unused.file.storage.exists(unused.file.name)
    assert all(doc.file.storage.exists(doc.file.name) for doc in used)
    app.refresh_from_db()
    assert app.id_number  # the bureau's record of its decision stays, under the retention rules
    assert AuditEntry.objects.filter(action=AuditAction.ACCOUNT_CLOSE, subject_user=user).exists()
    assert PersonalDataAccess.objects.count() == 0


def test_the_privacy_page_reads_a_bounded_number_of_queries(login_client, django_assert_max_num_queries):
    app = build_application(Status.PUBLISHED)
    client = login_client(app.applicant)
    client.get(reverse("portal:privacy"))
    # Session, user, the latest export, and one EXISTS per closing rule (applications, cards, rights).
    with django_assert_max_num_queries(7):
        assert client.get(reverse("portal:privacy")).status_code == 200
