"""Digital signature of the card PDF (pyHanko), so any validator can tell it was not altered.

The bureau's key and certificate come from settings (CARD_SIGNING_KEY, CARD_SIGNING_CERT,
CARD_SIGNING_CA_CERT, CARD_SIGNING_KEY_PASSPHRASE). Left empty, a development root CA and an
ECDSA P-256 signing certificate it issued (keyUsage digitalSignature + nonRepudiation) are created
once in CARD_SIGNING_DEV_DIR; validators trust the root, never the leaf itself (PITFALLS.md).

The signer is loaded once per process: loading a key costs far more than one ECDSA signature.
The signature is a certification signature forbidding any change (DocMDP P=1), and its field
lies exactly over the red seal drawn on the page: the visible seal and the signature are one
thing, and the seal's ring carries the code of the certificate that signs it (seal_code).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime
import fcntl
import hashlib
import io
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Printed on every card the development CA signs and shown wherever such a card is verified.
from hukou_card.pdf import TEST_CARD_LABEL

logger = logging.getLogger(__name__)

SIGNATURE_FIELD = "CardSeal"
# Enough for the CMS blob with an ECDSA or RSA-4096 signature and a three-certificate chain, so
# pyHanko can skip its size dry-run (PITFALLS.md).
BYTES_RESERVED = 16384

DEV_KEY = "card-signing-key.pem"
DEV_CERT = "card-signing-cert.pem"
DEV_CA_CERT = "card-signing-root-ca.pem"


class SigningConfigurationError(ImproperlyConfigured):
    """The signer or its trust roots cannot be loaded (a missing or unreadable file, a wrong
    passphrase, a file that is not a key or certificate): the service is misconfigured. Never
    reported as a damaged card: that would accuse a genuine card of being forged."""


# What staff see when the signing service itself is at fault (police desk, hukou_card views).
SERVICE_FAULT_MESSAGE = "签章服务配置错误，请联系管理员。"


@dataclass(frozen=True)
class Credentials:
    key_path: Path
    cert_path: Path
    ca_paths: tuple[Path, ...]
    passphrase: bytes | None
    is_development: bool


@dataclass(frozen=True)
class CardSigner:
    signer: object  # pyhanko.sign.signers.SimpleSigner: the PDF side, and the CMS fallback
    trust_roots: tuple  # asn1crypto x509.Certificate
    seal_code: str
    subject: str
    is_development: bool
    # The same key and certificates as `cryptography` objects, for the fast CMS path (None: the
    # key type is one cryptography's PKCS#7 builder cannot sign with; pyHanko's own CMS is used).
    private_key: object | None = None
    certificate: object | None = None
    chain: tuple = ()


_lock = threading.Lock()
_card_signer: CardSigner | None = None
_loops = threading.local()


def _run(coro):
    """Run one of pyHanko's coroutines to completion from synchronous code.

    pyHanko's own sync wrappers call asyncio.run(), which builds and tears down an event loop per
    card and fails outright inside a running loop (an async view, Playwright's sync API). Keep one
    loop per thread instead, and hand the work to a helper thread when this one already runs a loop.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        loop = getattr(_loops, "loop", None)
        if loop is None or loop.is_closed():
            loop = _loops.loop = asyncio.new_event_loop()
        return loop.run_until_complete(coro)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def uses_development_ca() -> bool:
    """No bureau key configured: cards are (or would be) signed by the development CA. Reads the
    settings only, so /healthz can ask without creating the development CA. A key in an HSM is the
    bureau's key (its token is checked by signing_pkcs11's own system check, E101)."""
    if settings.CARD_SIGNING_PKCS11_MODULE:
        return False
    return not (settings.CARD_SIGNING_KEY or settings.CARD_SIGNING_CERT)


def configured_credentials() -> Credentials:
    key, cert = settings.CARD_SIGNING_KEY, settings.CARD_SIGNING_CERT
    if key or cert:
        if not (key and cert):
            raise ImproperlyConfigured("CARD_SIGNING_KEY and CARD_SIGNING_CERT must be set together.")
        ca = settings.CARD_SIGNING_CA_CERT
        passphrase = settings.CARD_SIGNING_KEY_PASSPHRASE
        return Credentials(
            key_path=Path(key),
            cert_path=Path(cert),
            ca_paths=(Path(ca),) if ca else (),
            passphrase=passphrase.encode() if passphrase else None,
            is_development=False,
        )
    return ensure_development_credentials(Path(settings.CARD_SIGNING_DEV_DIR))


def ensure_development_credentials(directory: Path) -> Credentials:
    """Create the development root CA and signing certificate once; safe under concurrent workers."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = Credentials(
        key_path=directory / DEV_KEY,
        cert_path=directory / DEV_CERT,
        ca_paths=(directory / DEV_CA_CERT,),
        passphrase=None,
        is_development=True,
    )
    with open(directory / ".lock", "w") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            if not all(p.exists() for p in (paths.key_path, paths.cert_path, *paths.ca_paths)):
                _write_development_credentials(paths)
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)
    return paths


def development_certificates(public_key, *, ca_common_name: str, seal_common_name: str):
    """A throw-away development root CA and the one seal certificate it issues for `public_key`.

    Shared by the key files made on first use (below) and the development HSM token
    (`manage.py init_dev_hsm_token`): both CAs' names say they are for development, so a card they
    sign says it is a test card. The CA's private key goes out of scope on return.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "广州市人力资源和社会保障局（开发环境）"),
            x509.NameAttribute(NameOID.COMMON_NAME, ca_common_name),
        ]
    )
    root = (
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    leaf = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                    x509.NameAttribute(NameOID.ORGANIZATION_NAME, "广州市人力资源和社会保障局"),
                    x509.NameAttribute(NameOID.COMMON_NAME, seal_common_name),
                ]
            )
        )
        .issuer_name(root_name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3 * 365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(digital_signature=True, content_commitment=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False
        )
        .sign(root_key, hashes.SHA256())
    )
    return root, leaf


def _write_development_credentials(paths: Credentials) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    leaf_key = ec.generate_private_key(ec.SECP256R1())
    root, leaf = development_certificates(
        leaf_key.public_key(),
        ca_common_name="入户信息卡签章开发根CA（仅供开发测试）",
        seal_common_name="广州市入户人员信息卡电子专用章（开发）",
    )
    # The root's private key is thrown away: the development CA issues exactly this one certificate.
    key_pem = leaf_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    _write_atomically(paths.key_path, key_pem, mode=0o600)
    _write_atomically(paths.cert_path, leaf.public_bytes(serialization.Encoding.PEM), mode=0o644)
    _write_atomically(paths.ca_paths[0], root.public_bytes(serialization.Encoding.PEM), mode=0o644)
    logger.warning(
        "Created a development card-signing CA in %s; never use it in production.", paths.key_path.parent
    )


def _key_usage(**enabled) -> object:
    from cryptography import x509

    names = (
        "digital_signature content_commitment key_encipherment data_encipherment key_agreement "
        "key_cert_sign crl_sign encipher_only decipher_only"
    ).split()
    return x509.KeyUsage(**{name: enabled.get(name, False) for name in names})


def _write_atomically(path: Path, data: bytes, *, mode: int) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


def unreadable(path: Path) -> str:
    """Why this process cannot read `path`, or "" when it can."""
    try:
        with open(path, "rb") as handle:
            handle.read(1)
    except FileNotFoundError:
        return "no such file"
    except IsADirectoryError:
        return "is a directory, not a file"
    except PermissionError:
        return "not readable by this user"
    except OSError as exc:
        return exc.strerror or exc.__class__.__name__
    return ""


def seal_code_for(certificate) -> str:
    """13 digits derived from the signing certificate, printed at the foot of the seal's ring like
    the code on a real official seal: the drawn seal names the key that signs it."""
    digest = hashlib.sha256(certificate.dump()).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 10**13:013d}"


def card_signer() -> CardSigner:
    """The process-wide signer, loaded on first use."""
    global _card_signer
    if _card_signer is not None:
        return _card_signer
    with _lock:
        if _card_signer is None:
            try:
                _card_signer = _load_configured_signer()
            except Exception as exc:
                # Logged here, once per attempt, with the path: the operator's one clue.
                logger.error("The card signer cannot be loaded: %s", exc)
                if isinstance(exc, SigningConfigurationError):
                    raise
                raise SigningConfigurationError(f"The card signer cannot be loaded: {exc}") from exc
    return _card_signer


def _load_configured_signer() -> CardSigner:
    if settings.CARD_SIGNING_PKCS11_MODULE:
        # The key in an HSM (hukou_card/signing_pkcs11.py); the key file is the small-installation option.
        from hukou_card.signing_pkcs11 import load_pkcs11_signer

        return load_pkcs11_signer()
    return _load_signer(configured_credentials())


def card_trust_roots() -> tuple:
    """What a card's signature must chain to. With the key in an HSM that is CARD_SIGNING_CA_CERT
    alone: checking a card never needs the token, its PIN or its session."""
    if settings.CARD_SIGNING_PKCS11_MODULE:
        from hukou_card.signing_pkcs11 import pkcs11_trust_roots

        return pkcs11_trust_roots()
    return card_signer().trust_roots


def reset_card_signer() -> None:
    """Forget the cached signer (tests that switch credentials, key rotation in a shell)."""
    global _card_signer
    with _lock:
        previous, _card_signer = _card_signer, None
    close = getattr(previous.signer, "close", None) if previous else None
    if close is not None:  # an HSM signer's session (signing_pkcs11)
        close()


def _load_signer(credentials: Credentials) -> CardSigner:
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.hazmat.primitives.serialization import load_pem_private_key
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.sign import signers

    for path in (credentials.key_path, credentials.cert_path, *credentials.ca_paths):
        problem = unreadable(path)
        if problem:
            raise SigningConfigurationError(f"{path}: {problem}")
    signer = signers.SimpleSigner.load(
        str(credentials.key_path),
        str(credentials.cert_path),
        ca_chain_files=tuple(str(p) for p in credentials.ca_paths) or None,
        key_passphrase=credentials.passphrase,
    )
    if signer is None:
        raise SigningConfigurationError(
            f"Cannot load the card-signing key {credentials.key_path} with certificate "
            f"{credentials.cert_path} (wrong CARD_SIGNING_KEY_PASSPHRASE, or not a PEM/DER key and certificate)."
        )
    roots = tuple(load_cert_from_pemder(str(p)) for p in credentials.ca_paths)
    certificate = signer.signing_cert

    private_key = load_pem_private_key(credentials.key_path.read_bytes(), password=credentials.passphrase)
    fast = isinstance(private_key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey)
    chain = tuple(
        cert for path in credentials.ca_paths for cert in x509.load_pem_x509_certificates(path.read_bytes())
    )
    return CardSigner(
        signer=signer,
        trust_roots=roots or (certificate,),
        seal_code=seal_code_for(certificate),
        subject=certificate.subject.human_friendly,
        is_development=credentials.is_development,
        private_key=private_key if fast else None,
        certificate=x509.load_der_x509_certificate(certificate.dump()) if fast else None,
        chain=chain if fast else (),
    )


def sign_card_pdf(
    pdf: bytes,
    *,
    seal_box: tuple[float, float, float, float],
    signer_name: str,
    reason: str,
    fast_cms: bool = True,
) -> bytes:
    """Certify the one-page card; the signature field covers `seal_box` (x1, y1, x2, y2) on page 1.

    pyHanko does the PDF side: the signature field over the seal, the DocMDP certification, the
    /ByteRange placeholder and the incremental update. The CMS SignedData that goes into the
    placeholder is built by `cryptography`'s PKCS#7 builder (Rust), about five times faster than
    pyHanko's pure-Python assembly; pyHanko's remote-signing API (digest, then finish) joins the
    two. `fast_cms=False`, or a key type cryptography cannot sign with, uses pyHanko for both.
    """
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.signers.pdf_signer import PdfTBSDocument
    from pyhanko.stamp import NoOpStampStyle

    card = card_signer()
    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        md_algorithm="sha256",
        name=signer_name,
        reason=reason,
        location="广州市",
        certify=True,
        docmdp_permissions=fields.MDPPerm.NO_CHANGES,
    )
    pdf_signer = signers.PdfSigner(
        meta,
        signer=card.signer,
        # The seal is already drawn in the page content; the field adds nothing on top of it.
        stamp_style=NoOpStampStyle(),
        new_field_spec=fields.SigFieldSpec(SIGNATURE_FIELD, on_page=0, box=tuple(round(v) for v in seal_box)),
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    if not (fast_cms and card.private_key is not None):
        return _run(pdf_signer.async_sign_pdf(writer, bytes_reserved=BYTES_RESERVED)).getvalue()

    async def digest_sign_finish():
        prepared, _tbs, output = await pdf_signer.async_digest_doc_for_signing(
            writer, bytes_reserved=BYTES_RESERVED
        )
        cms = _signed_data(card, output=output, prepared=prepared)
        await PdfTBSDocument.async_finish_signing(output, prepared, cms)
        return output

    output = _run(digest_sign_finish())
    return output.getvalue()


def _signed_data(card: CardSigner, *, output, prepared) -> bytes:
    """A detached CMS SignedData over the /ByteRange, signed attributes contentType,
    messageDigest and signingTime, with the signing certificate and its CA embedded."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.serialization import pkcs7

    view = output.getbuffer()
    try:
        signed = bytes(view[: prepared.reserved_region_start]) + bytes(view[prepared.reserved_region_end :])
    finally:
        view.release()
    # Sign exactly what pyHanko's /ByteRange covers, or nothing at all.
    if hashlib.sha256(signed).digest() != prepared.document_digest:
        raise RuntimeError("The bytes to sign do not match the document's /ByteRange digest.")
    builder = (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(signed)
        .add_signer(card.certificate, card.private_key, hashes.SHA256())
    )
    for certificate in card.chain:
        builder = builder.add_certificate(certificate)
    options = [
        pkcs7.PKCS7Options.DetachedSignature,
        pkcs7.PKCS7Options.Binary,
        pkcs7.PKCS7Options.NoCapabilities,
    ]
    return builder.sign(serialization.Encoding.DER, options)


@dataclass(frozen=True)
class SignatureCheck:
    ok: bool
    intact: bool
    trusted: bool
    signer: str
    signed_at: datetime.datetime | None
    message: str
    # The check could not be made: the signing service is misconfigured (nothing said of the card).
    fault: bool = False
    # Valid against the development CA: a test card, of no legal effect.
    development: bool = False


def validate_signature(signature, trust_roots):
    """pyHanko's validation of one embedded signature against `trust_roots`, safe to call from
    synchronous code whether or not an event loop is running in this thread."""
    from pyhanko.sign.validation import async_validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    async def validate():
        context = ValidationContext(trust_roots=list(trust_roots))
        try:
            return await async_validate_pdf_signature(signature, context)
        finally:
            await context.aclose()

    return _run(validate())


def _trusts_development_ca(certificate, roots) -> bool:
    if not settings.CARD_SIGNING_PKCS11_MODULE:
        return uses_development_ca()
    from hukou_card.signing_pkcs11 import is_development_chain

    return is_development_chain(certificate, roots)


def check_card_signature(pdf: bytes) -> SignatureCheck:
    """Validate a stored card against the configured trust roots (police desk, tests)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    # The service's side first, outside the damaged-file catch: without the trust roots nothing can
    # be said about the card, and a configuration error is never reported as a forged card.
    try:
        trust_roots = card_trust_roots()
    except ImproperlyConfigured as exc:  # SigningConfigurationError is logged by card_signer()
        if not isinstance(exc, SigningConfigurationError):
            logger.error("The card trust roots cannot be loaded: %s", exc)
        return SignatureCheck(False, False, False, "", None, SERVICE_FAULT_MESSAGE, fault=True)
    try:
        reader = PdfFileReader(io.BytesIO(pdf))
        signatures = reader.embedded_signatures
        if len(signatures) != 1:
            return SignatureCheck(False, False, False, "", None, "文件中没有电子签章。")
        status = validate_signature(signatures[0], trust_roots)
    except Exception as exc:  # a damaged file is an answer ("not valid"), not a server error
        logger.info("Card signature check failed: %s", exc)
        return SignatureCheck(False, False, False, "", None, "文件已损坏或被篡改，电子签章无法验证。")
    signer = status.signing_cert.subject.human_friendly if status.signing_cert else ""
    entire = status.coverage is not None and status.coverage.name == "ENTIRE_FILE"
    ok = bool(status.bottom_line and status.intact and status.trusted and entire)
    # Trusted by the development CA (no key configured), or, with an HSM, by a development token's CA
    # (init_dev_hsm_token marks it): then the card is a test card. Once the bureau's key is installed
    # the development CA is no longer trusted at all, so its cards say 不受信任.
    development = ok and _trusts_development_ca(status.signing_cert, trust_roots)
    if development:
        message = f"文件签发后未被修改，但电子签章来自开发环境测试CA：本卡为{TEST_CARD_LABEL}。"
    elif ok:
        message = "电子签章有效，文件签发后未被修改。"
    elif not status.intact:
        message = "文件内容与电子签章不符，已被篡改。"
    elif not status.trusted:
        message = "签章证书不受信任。"
    else:
        message = "签章不覆盖整个文件，签发后被追加了内容。"
    return SignatureCheck(
        ok,
        bool(status.intact),
        bool(status.trusted),
        signer,
        status.signer_reported_dt,
        message,
        development=development,
    )
