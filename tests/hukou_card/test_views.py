"""Card pages: the owner's download and 放弃入户, public verification, the police desk, the panel."""

import datetime
import uuid

import pytest
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from applications.choices import Status
from hukou_card import numbers, throttle
from hukou_card.models import HukouCard
from tests.builders import build_application

# Files are stored here: each test runs on the local folder and on a bucket (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.both_storages]
S = HukouCard.Status


# --- download ---------------------------------------------------------------------------------------


def test_owner_downloads_the_signed_pdf(applicant_client, main_card):
    response = applicant_client.get(reverse("hukou_card:download", args=[main_card.public_id]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF-") and b"/ByteRange" in body


def test_another_users_card_urls_are_404(login_client, other_applicant, issued_cards):
    client = login_client(other_applicant)
    for card in issued_cards:
        for name in ("hukou_card:download", "hukou_card:cancel"):
            assert client.get(reverse(name, args=[card.public_id])).status_code == 404
        assert (
            client.post(reverse("hukou_card:cancel", args=[card.public_id]), {"confirm": "on"}).status_code
            == 404
        )
    assert not HukouCard.objects.exclude(status=S.VALID).exists()


def test_unknown_card_is_404(applicant_client):
    assert applicant_client.get(reverse("hukou_card:download", args=[uuid.uuid4()])).status_code == 404


def test_download_needs_login(client, main_card):
    response = client.get(reverse("hukou_card:download", args=[main_card.public_id]))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def _messages(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def test_cancelled_card_is_no_longer_handed_out(applicant_client, main_card):
    HukouCard.objects.filter(pk=main_card.pk).update(status=S.CANCELLED)
    response = applicant_client.get(reverse("hukou_card:download", args=[main_card.public_id]))
    assert response.status_code == 302 and response["Location"] == reverse("applications:status")
    assert "不能再下载" in _messages(response)


def test_card_still_rendering_says_so(applicant_client, published_application):
    from hukou_card.services import _cards_create

    [main, *_] = _cards_create(application_id=published_application.pk)
    response = applicant_client.get(reverse("hukou_card:download", args=[main.public_id]))
    assert response.status_code == 302 and "正在生成" in _messages(response)


# --- 放弃入户 ---------------------------------------------------------------------------------------


def test_cancel_page_lists_every_card_that_goes(applicant_client, issued_cards):
    response = applicant_client.get(reverse("hukou_card:cancel", args=[issued_cards[0].public_id]))
    html = response.content.decode()
    assert response.status_code == 200
    for card in issued_cards:
        assert card.number in html
    assert "注销主迁人入户卡时，随迁人入户卡将一并注销" in html


def test_cancel_without_confirming_keeps_the_reason_and_explains(applicant_client, main_card):
    url = reverse("hukou_card:cancel", args=[main_card.public_id])
    response = applicant_client.post(url, {"reason": "已在外地落户"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "请勾选确认后再提交注销申请。" in html
    assert "已在外地落户" in html
    main_card.refresh_from_db()
    assert main_card.status == S.VALID


def test_cancel_confirmed_cancels_all_cards(applicant_client, issued_cards, published_application):
    url = reverse("hukou_card:cancel", args=[issued_cards[0].public_id])
    response = applicant_client.post(url, {"confirm": "on", "reason": "已在外地落户"})
    assert response.status_code == 302 and response["Location"] == reverse("applications:status")
    assert "已注销入户信息卡" in _messages(response)
    assert set(
        HukouCard.objects.filter(application=published_application).values_list("status", flat=True)
    ) == {S.CANCELLED}


def test_cancel_of_an_accompanying_card_is_refused(applicant_client, issued_cards):
    response = applicant_client.post(
        reverse("hukou_card:cancel", args=[issued_cards[1].public_id]), {"confirm": "on"}
    )
    assert "随迁人入户卡不能单独注销" in _messages(response)
    assert HukouCard.objects.filter(status=S.VALID).count() == 3


def test_cancel_needs_csrf(applicant, main_card):
    client = Client(enforce_csrf_checks=True)
    client.force_login(applicant, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(reverse("hukou_card:cancel", args=[main_card.public_id]), {"confirm": "on"})
    assert response.status_code == 403
    main_card.refresh_from_db()
    assert main_card.status == S.VALID


# --- public verification ------------------------------------------------------------------------------


def _verify(client, number, code, captcha="PASSED"):
    return client.post(
        reverse("hukou_card:verify"),
        {"number": number, "code": code, "captcha_0": "x", "captcha_1": captcha},
    )


def test_verification_by_number_and_code_shows_the_minimum(client, main_card):
    response = _verify(client, main_card.number, main_card.verification_code.lower())
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-status="valid"' in html
    assert "该入户信息卡真实有效" in html
    assert main_card.holder_name not in html
    assert main_card.holder_name[0] + "*" in html
    assert "广东省广州市黄埔区" in html
    deadline = main_card.valid_until
    assert f"{deadline.year}年{deadline.month:02d}月{deadline.day:02d}日" in html
    assert main_card.holder_id_number not in html
    assert "谨防假冒网站" in html and "http://127.0.0.1:8000" in html


def test_verification_link_from_the_qr_code(client, main_card):
    url = reverse(
        "hukou_card:verify", kwargs={"public_id": main_card.public_id, "code": main_card.verification_code}
    )
    response = client.get(url)
    assert response.status_code == 200 and "该入户信息卡真实有效" in response.content.decode()


def test_verification_link_with_a_wrong_code_finds_nothing(client, main_card):
    url = reverse("hukou_card:verify", kwargs={"public_id": main_card.public_id, "code": "AAAAAA"})
    response = client.get(url)
    assert response.status_code == 404
    assert main_card.number not in response.content.decode()


@pytest.mark.parametrize(
    ("status", "text"),
    [(S.USED, "办理入户手续，本卡已使用"), (S.CANCELLED, "已注销"), (S.EXPIRED, "已作废")],
)
def test_verification_tells_used_cancelled_and_expired(client, main_card, status, text):
    HukouCard.objects.filter(pk=main_card.pk).update(status=status, used_at=timezone.now())
    response = _verify(client, main_card.number, main_card.verification_code)
    assert f'data-status="{status}"' in response.content.decode()
    assert text in response.content.decode()


def test_a_card_past_its_deadline_reads_expired_before_the_nightly_run(client, main_card):
    HukouCard.objects.filter(pk=main_card.pk).update(
        valid_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    response = _verify(client, main_card.number, main_card.verification_code)
    assert 'data-status="expired"' in response.content.decode()


def test_wrong_code_and_unknown_number_get_the_same_answer(client, main_card, issued_cards):
    other_number = issued_cards[1].number
    wrong_code = _verify(client, main_card.number, "ZZZZZZ").content.decode()
    wrong_pair = _verify(client, other_number, main_card.verification_code).content.decode()
    message = "未找到与该卡号和卡面验证码相符的入户信息卡"
    assert message in wrong_code and message in wrong_pair
    assert "verify-result" not in wrong_code


@pytest.mark.parametrize(
    ("number", "code", "field_message"),
    [
        ("12345", "K7MQ2X", "入户卡卡号应为17位数字"),
        ("44011222483029574", "K7MQ2X", "校验位不符"),
        ("44011222483029573", "K7M", "卡面验证码为6位"),
        ("44011222483029573", "O0O0O0", "卡面验证码为6位"),
    ],
)
def test_bad_input_is_explained_next_to_the_field_and_kept(client, number, code, field_message):
    html = _verify(client, number, code).content.decode()
    assert field_message in html
    assert f'value="{number}"' in html


def test_wrong_captcha_is_explained(client, main_card):
    html = _verify(client, main_card.number, main_card.verification_code, captcha="WRONG").content.decode()
    assert "验证码不正确" in html
    assert "verify-result" not in html


def test_repeated_failures_are_throttled(client, main_card):
    for _ in range(throttle.FAILURE_LIMIT):
        _verify(client, main_card.number, "ZZZZZZ")
    response = _verify(client, main_card.number, main_card.verification_code)
    assert response.status_code == 429
    assert throttle.BLOCKED_MESSAGE in response.content.decode()
    link = reverse(
        "hukou_card:verify", kwargs={"public_id": main_card.public_id, "code": main_card.verification_code}
    )
    assert client.get(link).status_code == 429


def test_verify_form_needs_csrf(main_card):
    client = Client(enforce_csrf_checks=True)
    assert _verify(client, main_card.number, main_card.verification_code).status_code == 403


def test_verify_page_renders_the_form(client):
    html = client.get(reverse("hukou_card:verify")).content.decode()
    assert "入户卡卡号" in html and "卡面验证码" in html and 'name="captcha_1"' in html


# --- police desk --------------------------------------------------------------------------------------


def test_police_pages_need_a_police_login(client, main_card, applicant, reviewer, login_client):
    urls = [
        reverse("hukou_card:police_lookup"),
        reverse("hukou_card:police_detail", args=[main_card.public_id]),
        reverse("hukou_card:police_pdf", args=[main_card.public_id]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("review:login"))
    for user in (applicant, reviewer):
        other = login_client(user)
        for url in urls:
            response = other.get(url)
            assert response.status_code == 403 and "仅限公安窗口工作人员使用" in response.content.decode()
        assert (
            other.post(reverse("hukou_card:police_record_used", args=[main_card.public_id])).status_code
            == 403
        )
    main_card.refresh_from_db()
    assert main_card.status == S.VALID


def test_police_lookup_goes_to_the_card(login_client, police_officer, main_card):
    client = login_client(police_officer)
    response = client.get(reverse("hukou_card:police_lookup"), {"number": f" {main_card.number} "})
    assert response.status_code == 302
    assert response["Location"] == reverse("hukou_card:police_detail", args=[main_card.public_id])


UNISSUED = "4401122248302957" + numbers.luhn_check_digit("4401122248302957")
MISTYPED = UNISSUED[:-1] + str((int(UNISSUED[-1]) + 1) % 10)


@pytest.mark.parametrize(
    ("number", "message"), [(UNISSUED, "未找到卡号为"), ("123", "应为17位数字"), (MISTYPED, "校验位不符")]
)
def test_police_lookup_explains_a_miss(login_client, police_officer, number, message):
    html = (
        login_client(police_officer)
        .get(reverse("hukou_card:police_lookup"), {"number": number})
        .content.decode()
    )
    assert message in html
    assert f'value="{number}"' in html


def test_police_detail_shows_the_whole_card_and_an_intact_signature(
    login_client, police_officer, main_card, published_application
):
    html = (
        login_client(police_officer)
        .get(reverse("hukou_card:police_detail", args=[main_card.public_id]))
        .content.decode()
    )
    for value in (
        main_card.holder_name, main_card.holder_id_number, main_card.approval_number, "广东省广州市黄埔区",
        published_application.employer.name, published_application.original_registry_office, "李晓红", "张小宝",
        main_card.verification_code,
    ):  # fmt: skip
        assert value in html
    # Tests sign with the development CA: intact, and said to be a test card (tests/hukou_card/
    # test_development_ca.py has the bureau's own key).
    assert "文件签发后未被修改，但电子签章来自开发环境测试CA：本卡为测试卡，无法律效力。" in html
    assert 'data-testid="record-used"' in html


def test_police_detail_reports_a_tampered_pdf(login_client, police_officer, main_card):
    # Through the storage, not a path: in a bucket the file is an object, not on this disk.
    storage, name = main_card.pdf.storage, main_card.pdf.name
    with storage.open(name, "rb") as handle:
        data = handle.read()
    storage.delete(name)
    assert storage.save(name, ContentFile(data.replace(b"ReportLab", b"XeportLab", 1))) == name
    html = (
        login_client(police_officer)
        .get(reverse("hukou_card:police_detail", args=[main_card.public_id]))
        .content.decode()
    )
    assert "文件内容与电子签章不符" in html


def test_police_records_the_move_and_the_status_panel_shows_it(
    login_client, police_officer, main_card, published_application
):
    client = login_client(police_officer)
    url = reverse("hukou_card:police_record_used", args=[main_card.public_id])
    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)
    html = response.content.decode()
    assert "办结入户" in html
    main_card.refresh_from_db()
    assert main_card.status == S.USED
    published_application.refresh_from_db()
    panel = _panel(published_application)
    assert "办结入户手续" in panel and 'data-testid="hukou-completed"' in panel
    # A second click is refused with a message, not an error page.
    again = client.post(url, follow=True)
    assert again.status_code == 200 and "不能办理入户" in again.content.decode()


def test_police_pdf_is_served_inline(login_client, police_officer, main_card):
    response = login_client(police_officer).get(reverse("hukou_card:police_pdf", args=[main_card.public_id]))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("inline;")


# --- the status-page panel -------------------------------------------------------------------------------


def _panel(application) -> str:
    return Template('{% include "hukou_card/_status_panel.html" %}').render(
        Context({"application": application})
    )


def test_panel_shows_the_seed_table_message_and_cancel_button(
    issued_cards, published_application, django_assert_max_num_queries
):
    with django_assert_max_num_queries(1):
        html = _panel(published_application)
    assert "电子印章下载" in html and "入户卡下载" in html
    assert (
        "您申请办理的引进人才入户业务已审核通过，请您在入户信息卡有效期内至入户地的区公安部门办理入户复核手续"
        in html
    )
    for header in ("姓名", "身份证", "入户卡号", "电子印章"):
        assert f">{header}</th>" in html
    assert html.count(">(入户卡)电子印章PDF</a>") == 3
    for card in issued_cards:
        assert reverse("hukou_card:download", args=[card.public_id]) in html
    assert reverse("hukou_card:cancel", args=[issued_cards[0].public_id]) in html
    assert issued_cards[0].holder_id_number not in html  # masked on screen


def test_panel_uses_a_prefetch_without_queries(
    issued_cards, published_application, django_assert_num_queries
):
    from applications.models import Application

    application = (
        Application.objects.select_related("category")
        .prefetch_related("hukou_cards")
        .get(pk=published_application.pk)
    )
    with django_assert_num_queries(0):
        html = _panel(application)
    assert html.count(">(入户卡)电子印章PDF</a>") == 3


def test_panel_is_empty_and_silent_before_publication(django_assert_num_queries):
    application = build_application(Status.SUBMITTED)
    with django_assert_num_queries(0):
        assert _panel(application).strip() == ""


def test_panel_while_the_cards_are_being_made(published_application):
    assert "正在生成并加盖电子印章" in _panel(published_application)


def test_panel_after_cancellation_has_no_download_or_button(issued_cards, published_application, applicant):
    from hukou_card.services import card_cancel

    card_cancel(card_id=issued_cards[0].pk, by=applicant)
    html = _panel(published_application)
    assert "您已放弃入户" in html
    assert ">(入户卡)电子印章PDF</a>" not in html
    assert reverse("hukou_card:cancel", args=[issued_cards[0].public_id]) not in html


def test_police_detail_reads_a_bounded_number_of_queries(
    login_client, police_officer, main_card, django_assert_max_num_queries
):
    client = login_client(police_officer)
    url = reverse("hukou_card:police_detail", args=[main_card.public_id])
    # Session and user, the card with its application, the persons, the family cards: not one per row;
    # and the one INSERT of the access log (audit.access_log).
    with django_assert_max_num_queries(9):
        assert client.get(url).status_code == 200


# --- admin ----------------------------------------------------------------------------------------------


def test_admin_lists_cards_read_only_and_re_signs_valid_ones(
    login_client, city_admin, issued_cards, django_assert_max_num_queries
):
    client = login_client(city_admin)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("admin:hukou_card_hukoucard_changelist"))
    assert response.status_code == 200
    assert issued_cards[0].number in response.content.decode()
    assert client.get(reverse("admin:hukou_card_hukoucard_add")).status_code == 403

    HukouCard.objects.filter(pk=issued_cards[2].pk).update(status=S.CANCELLED)
    before = {c.pk: c.pdf_sha256 for c in issued_cards}
    response = client.post(
        reverse("admin:hukou_card_hukoucard_changelist"),
        {"action": "rerender_and_sign", "_selected_action": [c.pk for c in issued_cards]},
        follow=True,
    )
    assert "已重新生成并签章 2 张有效入户卡" in response.content.decode()
    after = {c.pk: c.pdf_sha256 for c in HukouCard.objects.all()}
    assert after[issued_cards[0].pk] != before[issued_cards[0].pk]
    assert after[issued_cards[2].pk] == before[issued_cards[2].pk]
