"""Cards signed by a key inside a real PKCS#11 token (SoftHSM2), made by `init_dev_hsm_token`.

The session makes two tokens in a private SOFTHSM2_CONF, an EC P-256 and an RSA-3072 one, each
with its key generated in the token. The card checks, the tamper case and the police desk pages
of the key-file tests run again below with every card signed by the token.
"""

import io
import logging
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader

from hukou_card import signing
from hukou_card.pdf import render_card
from tests.conftest import STRICT

# The police desk and verification pages, collected again here: this module's autouse `hsm`
# fixture makes every card they issue be signed by the token.
from tests.hukou_card.test_views import (  # noqa: F401
    test_owner_downloads_the_signed_pdf,
    test_police_detail_reports_a_tampered_pdf,
    test_police_detail_shows_the_whole_card_and_an_intact_signature,
    test_verification_by_number_and_code_shows_the_minimum,
)

ROOT = Path(__file__).resolve().parents[2]
MODULE = "/usr/lib/softhsm/libsofthsm2.so"
EC_TOKEN, RSA_TOKEN = "test-seal-ec", "test-seal-rsa"


def _init_token(directory: Path, label: str, key_type: str) -> dict[str, str]:
    """Run the command as an operator would, in a process of its own; the variables it prints."""
    result = subprocess.run(
        [sys.executable, "manage.py", "init_dev_hsm_token", "--dir", str(directory), "--token-label", label]
        + ["--key-type", key_type],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.test_settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return dict(line.split("=", 1) for line in result.stdout.splitlines() if line.split("=")[0].isupper())


@pytest.fixture(scope="session")
def softhsm(tmp_path_factory):
    """Both tokens, made before this process loads the library (SoftHSM2 reads its configuration
    when initialised), and SOFTHSM2_CONF pointing at them for the session."""
    if not (os.path.isfile(MODULE) and shutil.which("softhsm2-util")):
        reason = "needs SoftHSM2 (apt-get install softhsm2)"
        if STRICT:
            pytest.fail(f"PORTAL_STRICT_SERVICES=1 but the service is missing: {reason}", pytrace=False)
        pytest.skip(reason)
    directory = tmp_path_factory.mktemp("softhsm")
    tokens = {
        EC_TOKEN: _init_token(directory, EC_TOKEN, "ec"),
        RSA_TOKEN: _init_token(directory, RSA_TOKEN, "rsa"),
    }
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = tokens[EC_TOKEN]["SOFTHSM2_CONF"]
    import pkcs11

    pkcs11.lib(MODULE).reinitialize()  # in case something in this process loaded it before
    yield {"directory": directory, **tokens}
    signing.reset_card_signer()
    if previous is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = previous


def _configure(settings, env: dict[str, str]) -> None:
    for name, value in env.items():
        if name.startswith("CARD_SIGNING_"):
            setattr(settings, name, value)
    settings.CARD_SIGNING_KEY = settings.CARD_SIGNING_CERT = ""
    signing.reset_card_signer()


@pytest.fixture(autouse=True)
def hsm(softhsm, settings):
    """Every card of a test here is signed by the EC token's key (the signer re-loaded)."""
    _configure(settings, softhsm[EC_TOKEN])
    yield softhsm[EC_TOKEN]
    loaded = signing._card_signer
    # Whatever the test signed, the token signed it (not a key file picked up by mistake).
    assert loaded is None or type(loaded.signer).__name__ == "TokenSigner"
    signing.reset_card_signer()


def _sample():
    from tests.hukou_card.test_pdf import _sample as sample

    return sample()


def _sign() -> bytes:
    rendered = render_card(_sample())
    return signing.sign_card_pdf(
        rendered.pdf,
        seal_box=rendered.seal_box,
        signer_name="广州市黄埔区人力资源和社会保障局",
        reason="测试签发",
    )


def _validate(pdf: bytes, ca_path: str):
    reader = PdfFileReader(io.BytesIO(pdf))
    assert len(reader.embedded_signatures) == 1
    return signing.validate_signature(reader.embedded_signatures[0], [load_cert_from_pemder(ca_path)])


# --- the token and the command -------------------------------------------------------------------


def test_init_command_prints_the_settings_and_keeps_the_key_inside_the_token(softhsm, hsm):
    import pkcs11
    from pkcs11 import Attribute, ObjectClass

    assert hsm["CARD_SIGNING_PKCS11_MODULE"] == MODULE
    assert hsm["CARD_SIGNING_PKCS11_TOKEN_LABEL"] == EC_TOKEN
    pin_file = Path(hsm["CARD_SIGNING_PKCS11_PIN_FILE"])
    assert oct(pin_file.stat().st_mode & 0o777) == "0o600"
    token = pkcs11.lib(MODULE).get_token(token_label=EC_TOKEN)
    with token.open(user_pin=pin_file.read_text().strip()) as session:
        [key] = session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY, Attribute.LABEL: "card-seal"})
        assert key[Attribute.SENSITIVE] and not key[Attribute.EXTRACTABLE]
        assert key[Attribute.LOCAL]  # generated in the token, not imported
        with pytest.raises(pkcs11.PKCS11Error):  # AttributeSensitive: the key cannot be read out
            key[Attribute.VALUE]
    # Run again: nothing changes, the same variables are printed.
    assert _init_token(softhsm["directory"], EC_TOKEN, "ec") == hsm


def test_hsm_signed_card_validates_against_the_tokens_ca(hsm):
    signer = signing.card_signer()
    assert signer.private_key is None  # no software key: pyHanko builds the CMS, the token signs
    assert type(signer.signer).__name__ == "TokenSigner"
    pdf = _sign()
    status = _validate(pdf, hsm["CARD_SIGNING_CA_CERT"])
    assert status.intact and status.valid and status.trusted and status.bottom_line
    assert status.coverage.name == "ENTIRE_FILE"
    assert "HSM" in status.signing_cert.subject.human_friendly
    check = signing.check_card_signature(pdf)
    assert check.ok, check.message
    # init_dev_hsm_token's CA is a development CA: intact, and said to be a test card.
    assert check.development
    assert check.message == "文件签发后未被修改，但电子签章来自开发环境测试CA：本卡为测试卡，无法律效力。"


def test_hsm_signature_is_not_trusted_by_the_key_file_development_root(hsm, settings):
    pdf = _sign()
    file_root = signing.ensure_development_credentials(settings.CARD_SIGNING_DEV_DIR).ca_paths[0]
    status = _validate(pdf, str(file_root))
    assert status.intact and not status.trusted


def test_one_changed_byte_breaks_an_hsm_signature(hsm):
    pdf = _sign()
    position = pdf.index(b"ReportLab")
    tampered = pdf[:position] + b"X" + pdf[position + 1 :]
    assert not _validate(tampered, hsm["CARD_SIGNING_CA_CERT"]).intact
    check = signing.check_card_signature(tampered)
    assert not check.ok and check.message == "文件内容与电子签章不符，已被篡改。"


def test_hsm_card_says_development_and_its_seal_code_names_the_tokens_certificate(hsm):
    import pkcs11
    from asn1crypto import x509
    from pkcs11 import Attribute, ObjectClass

    signer = signing.card_signer()
    assert signer.is_development  # issued by init_dev_hsm_token's CA (仅供开发测试)
    # Certificates are public objects: no login (the signer's login is the process's anyway).
    with pkcs11.lib(MODULE).get_token(token_label=EC_TOKEN).open() as session:
        [cert] = session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE, Attribute.LABEL: "card-seal"})
        der = bytes(cert[Attribute.VALUE])
    assert signer.seal_code == signing.seal_code_for(x509.Certificate.load(der))


def test_an_rsa_key_in_the_token_signs_valid_cards(softhsm, settings):
    _configure(settings, softhsm[RSA_TOKEN])
    pdf = _sign()
    status = _validate(pdf, softhsm[RSA_TOKEN]["CARD_SIGNING_CA_CERT"])
    assert status.bottom_line and status.signing_cert.public_key.algorithm == "rsa"
    assert signing.check_card_signature(pdf).ok


# --- one session, many threads, lost sessions ------------------------------------------------------


def test_threads_sign_at_once_on_one_session(hsm):
    token = signing.card_signer().signer.token
    session = token._session
    results, errors = [], []

    def sign():
        try:
            results.append(_sign())
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=sign) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(results) == 6 and all(signing.check_card_signature(pdf).ok for pdf in results)
    assert token._session is session  # the process's one session, reused


def test_a_lost_session_is_reopened_and_the_card_signed(hsm, caplog):
    token = signing.card_signer().signer.token
    lost = token._session
    lost.close()  # as when the HSM restarts or the token is pulled and put back
    with caplog.at_level(logging.WARNING, logger="hukou_card.signing_pkcs11"):
        pdf = _sign()
    assert signing.check_card_signature(pdf).ok
    assert token._session is not lost
    assert "lost" in caplog.text and "SessionHandleInvalid" in caplog.text


def test_a_restarted_library_is_logged_into_again(hsm, caplog):
    import pkcs11

    token = signing.card_signer().signer.token
    lost = token._session
    # C_Finalize + C_Initialize behind the signer's back, as when the HSM client restarts: every
    # session handle and the login of this process are gone.
    pkcs11.lib(MODULE).reinitialize()
    with caplog.at_level(logging.WARNING, logger="hukou_card.signing_pkcs11"):
        assert signing.check_card_signature(_sign()).ok
    assert token._session is not lost and "lost" in caplog.text


def test_check_card_command_uses_the_ca_file_as_trust_anchor(hsm, tmp_path):
    from django.core.management import call_command

    card = tmp_path / "card.pdf"
    card.write_bytes(_sign())
    out = io.StringIO()
    call_command("check_card", str(card), stdout=out)
    assert "入户信息卡签章HSM开发根CA" in out.getvalue() and "有效" in out.getvalue()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_opens_its_own_session(hsm):
    signing.card_signer()  # the parent's session is open before the fork, as under gunicorn --preload
    pid = os.fork()
    if pid == 0:  # the child: sign and check, report through the exit status, touch nothing else
        code = 1
        try:
            code = 0 if signing.check_card_signature(_sign()).ok else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert signing.check_card_signature(_sign()).ok  # and the parent's session still works


# --- configuration errors are not broken cards --------------------------------------------------------


def test_a_wrong_pin_is_a_configuration_error(hsm, settings, tmp_path):
    wrong = tmp_path / "wrong.pin"
    wrong.write_text("00000000\n")
    settings.CARD_SIGNING_PKCS11_PIN_FILE = str(wrong)
    signing.reset_card_signer()
    with pytest.raises(
        ImproperlyConfigured, match=r"CARD_SIGNING_PKCS11_PIN_FILE: token 'test-seal-ec' refused the PIN"
    ):
        signing.card_signer()


def test_a_missing_token_names_the_tokens_present(hsm, settings):
    settings.CARD_SIGNING_PKCS11_TOKEN_LABEL = "no-such-token"
    signing.reset_card_signer()
    with pytest.raises(ImproperlyConfigured, match=r"no token labelled 'no-such-token'.*test-seal-ec"):
        signing.card_signer()


def test_a_missing_key_or_certificate_is_a_configuration_error(hsm, settings):
    settings.CARD_SIGNING_PKCS11_KEY_LABEL = "no-such-key"
    signing.reset_card_signer()
    with pytest.raises(
        ImproperlyConfigured, match="CARD_SIGNING_PKCS11_KEY_LABEL: .* no signing private key"
    ):
        signing.card_signer()
    settings.CARD_SIGNING_PKCS11_KEY_LABEL = "card-seal"
    settings.CARD_SIGNING_PKCS11_CERT_LABEL = "no-such-cert"
    signing.reset_card_signer()
    with pytest.raises(ImproperlyConfigured, match="CARD_SIGNING_PKCS11_CERT_LABEL: .* no certificate"):
        signing.card_signer()


def test_a_certificate_that_is_not_the_keys_is_refused_before_any_card(hsm, settings):
    settings.CARD_SIGNING_PKCS11_CERT_LABEL = "card-seal-ca"  # on the token, but not the key's
    signing.reset_card_signer()
    with pytest.raises(ImproperlyConfigured, match="does not belong to the certificate 'card-seal-ca'"):
        signing.card_signer()


def test_half_or_double_configuration_is_refused(hsm, settings):
    settings.CARD_SIGNING_KEY, settings.CARD_SIGNING_CERT = "/etc/bureau.key", "/etc/bureau.pem"
    settings.CARD_SIGNING_PKCS11_PIN_FILE = ""
    settings.CARD_SIGNING_CA_CERT = ""
    signing.reset_card_signer()
    with pytest.raises(ImproperlyConfigured) as raised:
        signing.card_signer()
    message = str(raised.value)
    assert "choose the key file or the HSM" in message
    assert "CARD_SIGNING_PKCS11_PIN_FILE must name" in message and "CARD_SIGNING_CA_CERT must name" in message


@pytest.mark.django_db
def test_with_a_wrong_pin_the_card_waits_unsigned_and_the_police_desk_still_checks(
    hsm, settings, tmp_path, published_application, django_capture_on_commit_callbacks
):
    from hukou_card.models import HukouCard
    from hukou_card.services import cards_issue_for_application

    signed = _sign()  # a card issued while the PIN was right
    wrong = tmp_path / "wrong.pin"
    wrong.write_text("00000000\n")
    settings.CARD_SIGNING_PKCS11_PIN_FILE = str(wrong)
    signing.reset_card_signer()
    with pytest.raises(ImproperlyConfigured, match="refused the PIN"):
        with django_capture_on_commit_callbacks(execute=True):
            cards_issue_for_application(application_id=published_application.pk)
    # The rows exist, no PDF was stored: the worker's retry signs them once the PIN is fixed.
    cards = HukouCard.objects.filter(application=published_application)
    assert cards.exists() and not any(card.pdf for card in cards)
    # Checking needs the CA certificate only, not the token: the earlier card is still valid.
    assert signing.check_card_signature(signed).ok

    settings.CARD_SIGNING_PKCS11_PIN_FILE = hsm["CARD_SIGNING_PKCS11_PIN_FILE"]
    signing.reset_card_signer()
    with django_capture_on_commit_callbacks(execute=True):
        cards = cards_issue_for_application(application_id=published_application.pk)
    assert all(card.pdf for card in cards)
    with cards[0].pdf.open("rb") as handle:
        assert signing.check_card_signature(handle.read()).ok


def test_system_check_stops_start_up_on_a_wrong_pin(hsm, settings, tmp_path):
    from django.core.checks import run_checks

    assert run_checks(tags=["hukou_card"]) == []
    wrong = tmp_path / "wrong.pin"
    wrong.write_text("00000000\n")
    settings.CARD_SIGNING_PKCS11_PIN_FILE = str(wrong)
    signing.reset_card_signer()
    [error] = run_checks(tags=["hukou_card"])
    assert error.id == "hukou_card.E101" and "refused the PIN" in error.msg


def test_system_check_is_silent_with_the_key_file(settings):
    from django.core.checks import run_checks

    settings.CARD_SIGNING_PKCS11_MODULE = ""
    assert run_checks(tags=["hukou_card"]) == []
