"""The card's digital signature: valid against the development root CA, broken by one changed byte."""

import io

import pytest
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader

from hukou_card import signing
from hukou_card.pdf import render_card
from tests.hukou_card.test_pdf import _sample


@pytest.fixture(scope="module")
def signed_pdf():
    rendered = render_card(_sample())
    return signing.sign_card_pdf(
        rendered.pdf,
        seal_box=rendered.seal_box,
        signer_name="广州市黄埔区人力资源和社会保障局",
        reason="测试签发",
    )


def _root_ca() -> asn1_x509.Certificate:
    from django.conf import settings
    from pyhanko.keys import load_cert_from_pemder

    return load_cert_from_pemder(str(settings.CARD_SIGNING_DEV_DIR / signing.DEV_CA_CERT))


def _validate(pdf: bytes, roots):
    reader = PdfFileReader(io.BytesIO(pdf))
    assert len(reader.embedded_signatures) == 1
    # pyHanko's own validation, with nothing but the given roots trusted (the helper only makes the
    # call safe when Playwright keeps an event loop running in this thread).
    return signing.validate_signature(reader.embedded_signatures[0], roots)


def test_signature_validates_against_the_development_root_ca(signed_pdf):
    status = _validate(signed_pdf, [_root_ca()])
    assert status.intact and status.valid and status.trusted
    assert status.bottom_line
    assert status.coverage.name == "ENTIRE_FILE"
    # The root CA is the trust anchor; the signer is the leaf it issued, not a self-signed key.
    assert status.signing_cert.issuer == _root_ca().subject
    assert status.signing_cert.subject != _root_ca().subject


def test_one_changed_byte_breaks_the_signature(signed_pdf):
    # A byte inside the signed range: the document's title string in the Info dictionary.
    position = signed_pdf.index(b"ReportLab")
    tampered = signed_pdf[:position] + b"X" + signed_pdf[position + 1 :]
    status = _validate(tampered, [_root_ca()])
    assert not status.intact
    assert not status.bottom_line
    check = signing.check_card_signature(tampered)
    assert not check.ok and not check.fault and "被篡改" in check.message


def test_a_changed_byte_in_the_page_content_breaks_the_signature(signed_pdf):
    # Flip one byte in the middle of the first (compressed) stream: either the PDF no longer parses
    # or the digest no longer matches; either way the card is not valid.
    start = signed_pdf.index(b"stream\n") + len(b"stream\n") + 20
    tampered = signed_pdf[:start] + bytes([signed_pdf[start] ^ 0x01]) + signed_pdf[start + 1 :]
    assert not signing.check_card_signature(tampered).ok


def test_signature_is_not_trusted_by_an_unrelated_root(signed_pdf, tmp_path):
    from pyhanko.keys import load_cert_from_pemder

    stranger = signing.ensure_development_credentials(tmp_path / "stranger")
    status = _validate(signed_pdf, [load_cert_from_pemder(str(stranger.ca_paths[0]))])
    assert status.intact  # the bytes are fine …
    assert not status.trusted and not status.bottom_line  # … but trust comes only from our CA


def test_check_card_signature_accepts_the_signed_card(signed_pdf):
    check = signing.check_card_signature(signed_pdf)
    assert check.ok, check.message
    assert check.intact and check.trusted
    assert "广州市入户人员信息卡电子专用章" in check.signer


def test_unsigned_or_garbage_files_are_reported_not_raised():
    assert not signing.check_card_signature(render_card(_sample()).pdf).ok
    assert not signing.check_card_signature(b"not a pdf").ok


def test_certification_forbids_any_later_change(signed_pdf):
    reader = PdfFileReader(io.BytesIO(signed_pdf))
    perms = reader.root["/Perms"]
    docmdp = perms["/DocMDP"]
    reference = docmdp["/Reference"][0]
    assert reference["/TransformParams"]["/P"] == 1


def test_signature_field_covers_the_drawn_seal(signed_pdf):
    reader = PdfFileReader(io.BytesIO(signed_pdf))
    field = reader.root["/AcroForm"]["/Fields"][0]
    assert field["/T"] == signing.SIGNATURE_FIELD
    rect = [float(v) for v in field["/Rect"]]
    seal = render_card(_sample()).seal_box
    assert rect == pytest.approx([round(v) for v in seal], abs=0.01)


def test_development_leaf_has_non_repudiation_and_the_seal_code_names_it():
    from cryptography import x509
    from django.conf import settings

    leaf = x509.load_pem_x509_certificate((settings.CARD_SIGNING_DEV_DIR / signing.DEV_CERT).read_bytes())
    usage = leaf.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment
    assert not leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    code = signing.card_signer().seal_code
    assert len(code) == 13 and code.isdigit()


def test_development_credentials_are_created_once(tmp_path):
    first = signing.ensure_development_credentials(tmp_path)
    key_bytes = first.key_path.read_bytes()
    second = signing.ensure_development_credentials(tmp_path)
    assert second.key_path.read_bytes() == key_bytes
    assert oct(first.key_path.stat().st_mode & 0o777) == "0o600"


def test_configured_key_and_certificate_are_used(tmp_path, settings):
    dev = signing.ensure_development_credentials(tmp_path / "bureau")
    settings.CARD_SIGNING_KEY = str(dev.key_path)
    settings.CARD_SIGNING_CERT = str(dev.cert_path)
    settings.CARD_SIGNING_CA_CERT = str(dev.ca_paths[0])
    signing.reset_card_signer()
    try:
        credentials = signing.configured_credentials()
        assert not credentials.is_development
        rendered = render_card(_sample())
        pdf = signing.sign_card_pdf(rendered.pdf, seal_box=rendered.seal_box, signer_name="x", reason="y")
        check = signing.check_card_signature(pdf)
        assert check.ok
        # The default development root does not vouch for this bureau key.
        from django.conf import settings as live
        from pyhanko.keys import load_cert_from_pemder

        default_root = load_cert_from_pemder(str(live.CARD_SIGNING_DEV_DIR / signing.DEV_CA_CERT))
        assert not _validate(pdf, [default_root]).trusted
    finally:
        signing.reset_card_signer()


def test_half_configured_key_is_refused(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.CARD_SIGNING_KEY = "/nonexistent/key.pem"
    settings.CARD_SIGNING_CERT = ""
    with pytest.raises(ImproperlyConfigured):
        signing.configured_credentials()


def test_signing_and_checking_work_inside_a_running_event_loop():
    """An async caller (ASGI view, Playwright's sync API) must not break pyHanko's asyncio use."""
    import asyncio
    import threading

    async def inside_a_loop():
        rendered = render_card(_sample())
        pdf = signing.sign_card_pdf(rendered.pdf, seal_box=rendered.seal_box, signer_name="x", reason="y")
        return signing.check_card_signature(pdf)

    # A thread of its own: in a full run Playwright already keeps a loop running in this one.
    result = {}
    thread = threading.Thread(target=lambda: result.update(check=asyncio.run(inside_a_loop())))
    thread.start()
    thread.join()
    assert result["check"].ok, result["check"].message


def test_check_card_command_reports_valid_and_tampered_files(signed_pdf, tmp_path):
    from django.core.management import CommandError, call_command

    good = tmp_path / "good.pdf"
    good.write_bytes(signed_pdf)
    out = io.StringIO()
    call_command("check_card", str(good), stdout=out)
    assert "有效" in out.getvalue() and "文件签发后未被修改" in out.getvalue()

    bad = tmp_path / "bad.pdf"
    position = signed_pdf.index(b"ReportLab")
    bad.write_bytes(signed_pdf[:position] + b"X" + signed_pdf[position + 1 :])
    with pytest.raises(CommandError, match="1 个文件的电子签章无效"):
        call_command("check_card", str(good), str(bad), stdout=io.StringIO())


def test_pyhanko_cms_fallback_validates_too():
    rendered = render_card(_sample())
    pdf = signing.sign_card_pdf(
        rendered.pdf, seal_box=rendered.seal_box, signer_name="x", reason="y", fast_cms=False
    )
    status = _validate(pdf, [_root_ca()])
    assert status.intact and status.trusted and status.bottom_line


def test_fast_cms_carries_signing_time_and_the_chain(signed_pdf):
    from asn1crypto import cms

    reader = PdfFileReader(io.BytesIO(signed_pdf))
    signature = reader.embedded_signatures[0]
    signed_data = signature.signed_data
    attributes = {attr["type"].native for attr in signed_data["signer_infos"][0]["signed_attrs"]}
    assert {"content_type", "message_digest", "signing_time"} <= attributes
    certificates = [c.chosen for c in signed_data["certificates"]]
    assert _root_ca().subject in [c.subject for c in certificates]
    assert isinstance(signature.signed_data, cms.SignedData)
    assert signature.self_reported_timestamp is not None


def _rsa_bureau_credentials(directory, passphrase: bytes):
    """A CA and an RSA-3072 bureau certificate with an encrypted key, as a production setup has."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    directory.mkdir(parents=True)
    now = datetime.datetime.now(datetime.UTC)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "测试电子认证服务机构根CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(1)
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(signing._key_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    cert = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "广州市黄埔区人力资源和社会保障局")])
        )
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(2)
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(signing._key_usage(digital_signature=True, content_commitment=True), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    paths = {
        "key": directory / "bureau.key",
        "cert": directory / "bureau.pem",
        "ca": directory / "ca.pem",
    }
    paths["key"].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(passphrase),
        )
    )
    paths["cert"].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    return paths


@pytest.mark.parametrize("fast_cms", [True, False])
def test_a_production_rsa_key_with_a_passphrase_signs_valid_cards(tmp_path, settings, fast_cms):
    paths = _rsa_bureau_credentials(tmp_path / "bureau", b"s3cret-passphrase")
    settings.CARD_SIGNING_KEY = str(paths["key"])
    settings.CARD_SIGNING_CERT = str(paths["cert"])
    settings.CARD_SIGNING_CA_CERT = str(paths["ca"])
    settings.CARD_SIGNING_KEY_PASSPHRASE = "s3cret-passphrase"
    signing.reset_card_signer()
    try:
        rendered = render_card(_sample())
        pdf = signing.sign_card_pdf(
            rendered.pdf, seal_box=rendered.seal_box, signer_name="x", reason="y", fast_cms=fast_cms
        )
        check = signing.check_card_signature(pdf)
        assert check.ok, check.message
        assert "广州市黄埔区人力资源和社会保障局" in check.signer
    finally:
        signing.reset_card_signer()
