"""The development CA is for development only, and a broken signing set-up is the service's fault.

A card the development CA signed says 测试卡，无法律效力 on the card itself, on the public verification
page and at the police desk; a card signed with the bureau's configured key says nothing of the
kind. A misconfigured signer (a missing CA file, say) is logged as an error and shown to the police
officer as 签章服务配置错误, never as a forged card; a truly altered file still says 被篡改.
"""

import io
import logging
import re
from pathlib import Path

import pytest
from django.urls import reverse
from pypdf import PdfReader

from hukou_card import signing
from hukou_card.pdf import render_card
from hukou_card.services import cards_issue_for_application
from tests.hukou_card.test_pdf import _sample

LABEL = "测试卡，无法律效力"
FAULT = "签章服务配置错误，请联系管理员。"


def _text(pdf: bytes) -> str:
    return re.sub(r"\s+", "", PdfReader(io.BytesIO(pdf)).pages[0].extract_text())


def _pdf(card) -> bytes:
    with card.pdf.open("rb") as handle:
        return handle.read()


@pytest.fixture
def fresh_signer():
    """The signer is cached per process: load it again for the settings of this test, and forget it
    afterwards so the next test gets the suite's own."""
    signing.reset_card_signer()
    yield
    signing.reset_card_signer()


@pytest.fixture
def bureau_key(tmp_path_factory, settings, fresh_signer):
    """An explicitly configured key and chain (not the development CA's directory)."""
    keys = signing.ensure_development_credentials(tmp_path_factory.mktemp("bureau-key"))
    settings.CARD_SIGNING_KEY = str(keys.key_path)
    settings.CARD_SIGNING_CERT = str(keys.cert_path)
    settings.CARD_SIGNING_CA_CERT = str(keys.ca_paths[0])
    return keys


def _issue(application, capture):
    with capture(execute=True):
        cards = cards_issue_for_application(application_id=application.pk)
    return next(card for card in cards if card.is_main)


def test_the_band_is_drawn_only_on_a_test_card():
    assert LABEL in _text(render_card(_sample(test_card=True)).pdf)
    assert "本卡由开发环境测试CA签章" in _text(render_card(_sample(test_card=True)).pdf)
    assert LABEL not in _text(render_card(_sample()).pdf)


def test_a_card_the_development_ca_signed_says_so_everywhere(
    main_card, client, login_client, police_officer, fresh_signer
):
    assert main_card.signed_by_development_ca
    assert LABEL in _text(_pdf(main_card))

    verify = client.get(
        reverse(
            "hukou_card:verify",
            kwargs={"public_id": main_card.public_id, "code": main_card.verification_code},
        )
    ).content.decode()
    assert 'data-testid="test-card"' in verify and LABEL in verify

    desk = (
        login_client(police_officer)
        .get(reverse("hukou_card:police_detail", args=[main_card.public_id]))
        .content.decode()
    )
    assert 'data-testid="test-card"' in desk
    assert f"文件签发后未被修改，但电子签章来自开发环境测试CA：本卡为{LABEL}。" in desk
    assert "电子签章有效" not in desk


def test_a_card_signed_with_the_bureaus_key_is_not_a_test_card(
    bureau_key,
    published_application,
    django_capture_on_commit_callbacks,
    client,
    login_client,
    police_officer,
):
    card = _issue(published_application, django_capture_on_commit_callbacks)
    assert not card.signed_by_development_ca
    assert LABEL not in _text(_pdf(card))

    verify = client.get(
        reverse("hukou_card:verify", kwargs={"public_id": card.public_id, "code": card.verification_code})
    ).content.decode()
    assert "该入户信息卡真实有效" in verify and LABEL not in verify

    desk = (
        login_client(police_officer)
        .get(reverse("hukou_card:police_detail", args=[card.public_id]))
        .content.decode()
    )
    assert "电子签章有效，文件签发后未被修改。" in desk
    assert LABEL not in desk


def test_a_missing_ca_file_is_a_service_fault_logged_as_an_error_not_a_forged_card(
    bureau_key,
    published_application,
    django_capture_on_commit_callbacks,
    login_client,
    police_officer,
    caplog,
):
    card = _issue(published_application, django_capture_on_commit_callbacks)
    # The CA bundle goes missing (a volume not mounted, a rotation half done); the next process loads anew.
    Path(bureau_key.ca_paths[0]).unlink()
    signing.reset_card_signer()

    with caplog.at_level(logging.ERROR, logger="hukou_card.signing"):
        check = signing.check_card_signature(_pdf(card))
    assert check.fault and not check.ok
    assert check.message == FAULT
    errors = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert errors and str(bureau_key.ca_paths[0]) in errors[0].getMessage()

    response = login_client(police_officer).get(reverse("hukou_card:police_detail", args=[card.public_id]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="signature-fault"' in html and FAULT in html
    assert "篡改" not in html and "损坏" not in html


def test_a_wrong_passphrase_is_a_service_fault(bureau_key, settings, main_card):
    settings.CARD_SIGNING_KEY_PASSPHRASE = "not-the-passphrase"
    signing.reset_card_signer()  # as a process started with it would
    check = signing.check_card_signature(_pdf(main_card))
    assert check.fault and check.message == FAULT


def test_a_flipped_byte_still_says_tampered(main_card, login_client, police_officer, fresh_signer):
    data = _pdf(main_card)
    position = data.index(b"ReportLab")
    tampered = data[:position] + b"X" + data[position + 1 :]
    check = signing.check_card_signature(tampered)
    assert not check.ok and not check.fault and "被篡改" in check.message

    with open(main_card.pdf.path, "wb") as handle:
        handle.write(tampered)
    html = (
        login_client(police_officer)
        .get(reverse("hukou_card:police_detail", args=[main_card.public_id]))
        .content.decode()
    )
    assert "文件内容与电子签章不符，已被篡改。" in html and FAULT not in html


def test_a_card_pdf_missing_from_storage_is_a_service_fault(main_card, login_client, police_officer, caplog):
    Path(main_card.pdf.path).unlink()
    with caplog.at_level(logging.ERROR, logger="hukou_card.views"):
        html = (
            login_client(police_officer)
            .get(reverse("hukou_card:police_detail", args=[main_card.public_id]))
            .content.decode()
        )
    assert 'data-testid="signature-fault"' in html and "入户卡PDF文件无法读取，请联系管理员。" in html
    assert "尚未生成" not in html and "篡改" not in html
    assert any(
        main_card.pdf.name in record.getMessage()
        for record in caplog.records
        if record.levelno == logging.ERROR
    )
