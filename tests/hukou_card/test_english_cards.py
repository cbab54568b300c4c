"""English for the card pages the applicant and the public see (issue 13): the public check (valid,
unknown, 测试卡, used, cancelled, expired, errors), the applicant's card panel and 放弃入户 page, and
the card e-mails in the holder's language. The card itself, its PDF and the police desk stay
Chinese."""

import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from core.text import mask_name
from hukou_card import pdf, services
from hukou_card.models import HukouCard
from tests.i18n_support import CJK, assert_page_in_english, chinese_left_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _default_language_afterwards():
    """An English request leaves English active in this thread (LocaleMiddleware activates it and
    nothing deactivates it): the next test, which may word a message outside any request, starts
    from the default language again."""
    yield
    translation.deactivate()


# The district's name: the lead engineer adds its English to the catalogue for the `localized`
# filter (until then it is still Chinese).
REFERENCE_NAMES = ["黄埔区"]
# The captcha widget (accounts/templates/accounts/widgets/captcha.html) is the accounts pages' own.
CAPTCHA_WIDGET = [
    "验证码图片，看不清可点击换一张",
    "看不清？点击换一张",
    "点击获取：换一张新图片",
    "点击获取",
]
PREFIX_EN = "[Guangzhou Personnel E-Government System] "


def english_client() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def _official(card) -> list[str]:
    """The holder's name as typed, masked on the page (core.text.mask_name)."""
    return [card.holder_name, mask_name(card.holder_name)]


def _verify(client, number, code, captcha="PASSED"):
    return client.post(
        reverse("hukou_card:verify"), {"number": number, "code": code, "captcha_0": "x", "captcha_1": captcha}
    )


def _link(card, code=None):
    return reverse(
        "hukou_card:verify", kwargs={"public_id": card.public_id, "code": code or card.verification_code}
    )


# --- the public check --------------------------------------------------------------------------------


def test_the_empty_check_form_reads_in_english(db):
    response = english_client().get(reverse("hukou_card:verify"))
    html = response.content.decode()
    assert_page_in_english(response, allowed=CAPTCHA_WIDGET)
    assert "Check a Guangzhou household registration card" in html
    assert "Beware of fake websites:" in html and "http://127.0.0.1:8000" in html
    assert "Card number" in html and "Code on the card" in html and ">Check card</button>" in html
    assert "The 17 digits at the top left of the card." in html


def test_a_valid_card_reads_in_english_without_the_test_card_alert(main_card):
    HukouCard.objects.filter(pk=main_card.pk).update(signed_by_development_ca=False)
    response = english_client().get(_link(main_card))
    html = response.content.decode()
    assert response.status_code == 200
    assert_page_in_english(response, allowed=_official(main_card) + REFERENCE_NAMES)
    assert "This household registration card is genuine and valid, with" in html and "days left" in html
    assert ">Valid</span>" in html
    deadline = main_card.valid_until
    assert f"{deadline.day} {deadline:%B} {deadline.year}" in html
    assert 'data-testid="test-card"' not in html
    # The issuing office is quoted as the card prints it, marked Chinese for readers and screen readers.
    assert f'<span lang="zh-CN">{main_card.issuing_bureau}</span>' in html
    assert main_card.holder_name not in html and main_card.holder_id_number not in html


def test_a_test_card_says_so_in_english(main_card):
    assert main_card.signed_by_development_ca
    response = english_client().post(
        reverse("hukou_card:verify"),
        {
            "number": main_card.number,
            "code": main_card.verification_code,
            "captcha_0": "x",
            "captcha_1": "PASSED",
        },
    )
    html = response.content.decode()
    assert_page_in_english(response, allowed=_official(main_card) + REFERENCE_NAMES)
    assert (
        "<strong>Test card, no legal effect</strong>: this card was signed by the development test CA, "
        "for testing only, and cannot be used to register." in html
    )


def test_the_card_prints_the_chinese_the_page_translates():
    # The page translates the card's own texts (hukou_card.pdf): a change of the card's wording
    # without its English would leave Chinese on the English page.
    with translation.override("en"):
        assert translation.gettext(pdf.TEST_CARD_LABEL) != pdf.TEST_CARD_LABEL
        assert translation.gettext(pdf.TEST_CARD_NOTE) != pdf.TEST_CARD_NOTE


@pytest.mark.parametrize(
    ("status", "text"),
    [
        (HukouCard.Status.USED, "The holder registered on"),
        (HukouCard.Status.CANCELLED, "has been cancelled (the holder gave up the registration)"),
        (HukouCard.Status.EXPIRED, "expired without being used and is void"),
    ],
)
def test_used_cancelled_and_expired_cards_read_in_english(main_card, status, text):
    HukouCard.objects.filter(pk=main_card.pk).update(
        status=status, used_at=datetime.datetime.now(datetime.UTC)
    )
    response = english_client().get(_link(main_card))
    assert_page_in_english(response, allowed=_official(main_card) + REFERENCE_NAMES)
    assert text in response.content.decode()


def test_an_unknown_link_and_a_wrong_pair_read_in_english(main_card):
    client = english_client()
    unknown = client.get(_link(main_card, code="AAAAAA"))
    assert unknown.status_code == 404
    assert_page_in_english(unknown, allowed=CAPTCHA_WIDGET)
    assert (
        "This QR link is not valid: no matching household registration card was found."
        in unknown.content.decode()
    )

    wrong = _verify(client, main_card.number, "ZZZZZZ")
    assert_page_in_english(wrong, allowed=CAPTCHA_WIDGET)
    assert "No household registration card matches this card number and code." in wrong.content.decode()


def test_input_errors_are_shown_in_english_beside_their_fields(db):
    response = _verify(english_client(), "1234", "AB", captcha="WRONG")
    html = response.content.decode()
    assert_page_in_english(response, allowed=CAPTCHA_WIDGET)
    assert "The card number must be 17 digits." in html
    assert "The code on the card is 6 letters and numbers." in html
    assert "The verification code is wrong. Enter it again." in html
    empty = _verify(english_client(), "", "")
    assert_page_in_english(empty, allowed=CAPTCHA_WIDGET)
    assert "This field is required." in empty.content.decode()


def test_too_many_failures_read_in_english(main_card):
    client = english_client()
    for _ in range(10):
        _verify(client, main_card.number, "ZZZZZZ")
    blocked = _verify(client, main_card.number, main_card.verification_code)
    assert blocked.status_code == 429
    assert_page_in_english(blocked, allowed=CAPTCHA_WIDGET)
    assert "Too many failed checks. Try again in 15 minutes." in blocked.content.decode()


def test_the_check_is_still_chinese_by_default(main_card):
    html = Client().get(_link(main_card)).content.decode()
    assert '<html lang="zh-CN">' in html
    assert "该入户信息卡真实有效" in html and "测试卡，无法律效力" in html and "广东省广州市黄埔区" in html


def test_the_police_desk_stays_chinese_for_an_english_visitor(login_client, police_officer, main_card):
    client = login_client(police_officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("hukou_card:police_detail", args=[main_card.public_id])).content.decode()
    assert '<html lang="zh-CN">' in html and "测试卡，无法律效力" in html and ">有效</span>" in html


# --- the applicant's card panel and 放弃入户 ---------------------------------------------------------------


def _panel(application, language) -> str:
    with translation.override(language):
        return Template('{% include "hukou_card/_status_panel.html" %}').render(
            Context({"application": application})
        )


def test_the_card_panel_reads_in_english(issued_cards, published_application):
    html = _panel(published_application, "en")
    names = [card.holder_name for card in issued_cards]
    assert chinese_left_in(html, allowed=names) == []
    assert "Download your sealed card" in html and "Download cards" in html
    assert "Your talent introduction household registration has been approved." in html
    assert html.count(">Card PDF with electronic seal</a>") == 3
    assert ">Main applicant</td>" in html and "(Spouse)" in html and "(Son)" in html
    assert ">Give up registration (cancel the card)</a>" in html
    for card in issued_cards:
        assert card.holder_id_number not in html


def test_the_card_panel_is_still_chinese(issued_cards, published_application):
    html = _panel(published_application, "zh-hans")
    assert "电子印章下载" in html and html.count(">(入户卡)电子印章PDF</a>") == 3
    assert "（配偶）" in html and ">主迁</td>" in html


def test_a_cancelled_card_panel_reads_in_english(issued_cards, published_application, applicant):
    services.card_cancel(card_id=issued_cards[0].pk, by=applicant, reason="")
    html = _panel(published_application, "en")
    assert chinese_left_in(html, allowed=[card.holder_name for card in issued_cards]) == []
    assert "You gave up the registration." in html


def _main(html: str) -> str:
    """The page's own content: the layout's system bar (user name, 用户类型 …) is the applicant pages'."""
    return html[html.index("<main") : html.index("</main>")]


def test_the_cancel_page_reads_in_english_empty_and_with_an_error(applicant_client, issued_cards):
    main = next(card for card in issued_cards if card.is_main)
    client = applicant_client
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("hukou_card:cancel", args=[main.public_id])
    official = [card.holder_name for card in issued_cards]

    page = client.get(url)
    html = page.content.decode()
    assert '<html lang="en">' in html
    assert chinese_left_in(_main(html), allowed=official) == []
    assert "Give up registration (cancel the household registration card)" in html
    assert "Think carefully: a cancelled card cannot be restored or reissued." in html
    assert ">Cancel the card</button>" in html and "Reason for giving up (optional)" in html

    unconfirmed = client.post(url, {"reason": "Moving abroad"})
    html = unconfirmed.content.decode()
    assert chinese_left_in(_main(html), allowed=official) == []
    assert "Tick the box to confirm before you cancel." in html
    assert "Moving abroad" in html

    done = client.post(url, {"reason": "Moving abroad", "confirm": "on"}, follow=True)
    assert "has been cancelled. You have given up this registration." in done.content.decode()
    main.refresh_from_db()
    assert main.status == HukouCard.Status.CANCELLED
    assert main.status_reason == "主迁人申请放弃入户。Moving abroad"  # the record stays Chinese


def test_an_accompanying_card_cannot_be_cancelled_said_in_english(applicant_client, issued_cards):
    companion = next(card for card in issued_cards if not card.is_main)
    applicant_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = applicant_client.get(reverse("hukou_card:cancel", args=[companion.public_id]), follow=True)
    assert (
        "An accompanying family member&#x27;s card cannot be cancelled on its own."
        in response.content.decode()
    )


# --- e-mails --------------------------------------------------------------------------------------------


def _speaks(user: User, language: str) -> None:
    User.objects.filter(pk=user.pk).update(language=language)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_card_issued_and_expiring_e_mails_follow_the_holder(
    language, published_application, applicant, django_capture_on_commit_callbacks
):
    _speaks(applicant, language)
    other = "zh-hans" if language == "en" else "en"  # the worker's or a request's language does not count
    with translation.override(other), django_capture_on_commit_callbacks(execute=True):
        cards = services.cards_issue_for_application(application_id=published_application.pk)
    main = next(card for card in cards if card.is_main)
    with translation.override(other), django_capture_on_commit_callbacks(execute=True):
        assert services.cards_remind_expiring(today=main.valid_until - datetime.timedelta(days=1)) == 1
    issued, expiring = mail.outbox
    if language == "en":
        assert issued.subject == PREFIX_EN + "Your household registration card has been issued"
        assert expiring.subject == PREFIX_EN + "Your household registration card expires soon"
        deadline = f"{main.valid_until.day} {main.valid_until:%B} {main.valid_until.year}"
        assert f"Card number: {main.number}. Complete the move by {deadline}." in issued.body
        assert f"(number {main.number}) expires on {deadline}." in expiring.body
        for message in (issued, expiring):
            assert not CJK.search(message.subject + message.body), message.body
    else:
        assert issued.subject == "【广州市人事电子政务系统】入户信息卡已核发"
        assert expiring.subject == "【广州市人事电子政务系统】入户信息卡即将到期"
        assert "您申请办理的引进人才入户业务已审核通过" in issued.body
        assert f"卡号{main.number}" in expiring.body
