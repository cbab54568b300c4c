"""The bureau's seal key in a hardware security module: cards signed through PKCS#11 (pyHanko).

Used instead of the key file when CARD_SIGNING_PKCS11_MODULE is set (hukou_card.signing picks it
in card_signer()). The private key never leaves the token: pyHanko assembles the CMS and the token
signs its signed attributes (there is no `cryptography` fast path, CardSigner.private_key is None).

- One logged-in session per process, opened on first use and reused for every card: opening and
  logging in costs far more than one signature on most HSMs.
- PKCS#11 sessions are not meant to run two operations at once, so the signatures of a process's
  threads (gunicorn threads, an admin re-sign next to the worker) take turns on one lock.
- A session that dies under us (token unplugged, HSM restarted, network HSM reconnected, the
  process forked after it was opened) is re-opened once and the signature retried; a second
  failure is raised, and the card task retries later.
- A wrong PIN, a missing token, key or certificate is a configuration error: ImproperlyConfigured
  with a message that names the setting, raised where the signer is loaded, never a card signed
  badly. Checking a card needs no token at all: the trust anchor is CARD_SIGNING_CA_CERT.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

# The common name of the development CAs (signing.py's file CA and init_dev_hsm_token's): a card
# whose chain ends at such a CA is a development card, wherever its key lives.
DEVELOPMENT_CA_MARK = "仅供开发测试"


@dataclass(frozen=True)
class Pkcs11Settings:
    module: str
    token_label: str
    key_label: str
    cert_label: str
    pin_file: Path
    ca_paths: tuple[Path, ...]


def configured_pkcs11() -> Pkcs11Settings:
    """The PKCS#11 settings, checked: every problem named at once, with its setting."""
    module = settings.CARD_SIGNING_PKCS11_MODULE
    problems = []
    if settings.CARD_SIGNING_KEY or settings.CARD_SIGNING_CERT:
        problems.append(
            "CARD_SIGNING_KEY/CARD_SIGNING_CERT and CARD_SIGNING_PKCS11_MODULE are both set: "
            "choose the key file or the HSM"
        )
    if not os.path.isfile(module):
        problems.append(f"CARD_SIGNING_PKCS11_MODULE: no PKCS#11 library at {module!r}")
    for name in ("CARD_SIGNING_PKCS11_TOKEN_LABEL", "CARD_SIGNING_PKCS11_KEY_LABEL"):
        if not getattr(settings, name):
            problems.append(f"{name} must be set")
    pin_file = settings.CARD_SIGNING_PKCS11_PIN_FILE
    if not pin_file:
        problems.append("CARD_SIGNING_PKCS11_PIN_FILE must name the file holding the token's user PIN")
    elif not os.access(pin_file, os.R_OK):
        problems.append(f"CARD_SIGNING_PKCS11_PIN_FILE: cannot read {pin_file!r}")
    ca = settings.CARD_SIGNING_CA_CERT
    if not ca:
        problems.append(
            "CARD_SIGNING_CA_CERT must name the CA certificate(s) that issued the token's certificate: "
            "it is embedded in every signature and is the police desk's trust anchor"
        )
    elif not os.access(ca, os.R_OK):
        problems.append(f"CARD_SIGNING_CA_CERT: cannot read {ca!r}")
    if problems:
        raise ImproperlyConfigured("Card signing through PKCS#11: " + "; ".join(problems) + ".")
    return Pkcs11Settings(
        module=module,
        token_label=settings.CARD_SIGNING_PKCS11_TOKEN_LABEL,
        key_label=settings.CARD_SIGNING_PKCS11_KEY_LABEL,
        cert_label=settings.CARD_SIGNING_PKCS11_CERT_LABEL or settings.CARD_SIGNING_PKCS11_KEY_LABEL,
        pin_file=Path(pin_file),
        ca_paths=(Path(ca),),
    )


def pkcs11_trust_roots() -> tuple:
    """The CA certificates from CARD_SIGNING_CA_CERT (asn1crypto): no session, no PIN."""
    from asn1crypto import pem
    from asn1crypto import x509 as asn1_x509

    config = configured_pkcs11()
    roots = []
    for path in config.ca_paths:
        data = path.read_bytes()
        blocks = (
            [der for _type, _headers, der in pem.unarmor(data, multiple=True)] if pem.detect(data) else [data]
        )
        roots.extend(asn1_x509.Certificate.load(der) for der in blocks)
    if not roots:
        raise ImproperlyConfigured(f"CARD_SIGNING_CA_CERT: no certificate in {config.ca_paths[0]}.")
    return tuple(roots)


def _pkcs11_errors():
    import pkcs11.exceptions as e

    # The session is gone but the token may be fine: open a new session.
    session_lost = (
        e.SessionHandleInvalid,
        e.SessionClosed,
        e.UserNotLoggedIn,
        e.KeyHandleInvalid,
        e.ObjectHandleInvalid,
    )
    # The device went away: finalise and initialise the library again before opening one.
    device_lost = (e.DeviceRemoved, e.DeviceError, e.TokenNotPresent, e.TokenNotRecognised, e.GeneralError)
    return session_lost, device_lost


class Pkcs11Token:
    """One logged-in session to the configured token, shared by the process's threads."""

    def __init__(self, config: Pkcs11Settings):
        self.config = config
        self._lock = threading.Lock()
        self._session = None
        self._key = None
        self._pid: int | None = None

    # --- opening ---------------------------------------------------------------------------------

    def _library(self):
        import pkcs11

        try:
            return pkcs11.lib(self.config.module)
        except pkcs11.PKCS11Error as exc:
            raise ImproperlyConfigured(
                f"CARD_SIGNING_PKCS11_MODULE: cannot load the PKCS#11 library {self.config.module!r} ({exc})."
            ) from exc

    def _pin(self) -> str:
        pin = self.config.pin_file.read_text(encoding="utf-8").strip()
        if not pin:
            raise ImproperlyConfigured(f"CARD_SIGNING_PKCS11_PIN_FILE: {self.config.pin_file} is empty.")
        return pin

    def _open(self) -> None:
        """Open and log in a session and find the key; the caller holds the lock."""
        import pkcs11
        from pkcs11 import Attribute, ObjectClass

        config = self.config
        library = self._library()
        try:
            token = library.get_token(token_label=config.token_label)
        except pkcs11.NoSuchToken:
            present = sorted({slot.get_token().label for slot in library.get_slots(token_present=True)})
            raise ImproperlyConfigured(
                f"CARD_SIGNING_PKCS11_TOKEN_LABEL: no token labelled {config.token_label!r} in "
                f"{config.module} (tokens present: {', '.join(present) or 'none'})."
            ) from None
        except pkcs11.MultipleTokensReturned:
            raise ImproperlyConfigured(
                f"CARD_SIGNING_PKCS11_TOKEN_LABEL: more than one token is labelled {config.token_label!r}."
            ) from None
        pin = self._pin()
        try:
            session = token.open(user_pin=pin)
        except (pkcs11.PinIncorrect, pkcs11.PinInvalid, pkcs11.PinLenRange) as exc:
            raise ImproperlyConfigured(
                f"CARD_SIGNING_PKCS11_PIN_FILE: token {config.token_label!r} refused the PIN in "
                f"{config.pin_file} ({type(exc).__name__})."
            ) from None
        except (pkcs11.PinLocked, pkcs11.PinExpired) as exc:
            raise ImproperlyConfigured(
                f"The user PIN of token {config.token_label!r} is {type(exc).__name__}: the token's "
                "security officer must unlock or reset it."
            ) from None
        except pkcs11.UserAlreadyLoggedIn:
            # PKCS#11 logins belong to the process, not the session: another session of ours is
            # logged in (a probe, a previous signer not yet closed), and a new one shares it.
            session = token.open()
        try:
            keys = list(
                session.get_objects(
                    {
                        Attribute.CLASS: ObjectClass.PRIVATE_KEY,
                        Attribute.LABEL: config.key_label,
                        Attribute.SIGN: True,
                    }
                )
            )
            if len(keys) != 1:
                raise ImproperlyConfigured(
                    f"CARD_SIGNING_PKCS11_KEY_LABEL: token {config.token_label!r} holds "
                    f"{'no' if not keys else len(keys)} signing private key(s) labelled {config.key_label!r}."
                )
        except BaseException:
            _close_quietly(session)
            raise
        self._session, self._key, self._pid = session, keys[0], os.getpid()

    def _drop(self, *, reinitialize: bool) -> None:
        """Forget the session; the caller holds the lock."""
        if self._session is not None and self._pid == os.getpid():
            _close_quietly(self._session)
        self._session = self._key = None
        if reinitialize:
            try:
                self._library().reinitialize()
            except Exception as exc:  # the next _open reports what is really wrong
                logger.warning("Re-initialising the PKCS#11 library failed: %s", exc)

    def _ensure_open(self) -> None:
        if self._session is not None and self._pid != os.getpid():
            # Forked after the session was opened (gunicorn --preload, a prefork pool): PKCS#11
            # state is not inherited, the child initialises the library and logs in itself.
            self._drop(reinitialize=True)
        if self._session is None:
            self._open()

    # --- use -------------------------------------------------------------------------------------

    def read_certificate(self, label: str) -> bytes:
        """The DER value of the one certificate labelled `label` on the token."""
        from pkcs11 import Attribute, ObjectClass

        with self._lock:
            self._ensure_open()
            found = list(
                self._session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE, Attribute.LABEL: label})
            )
        if len(found) != 1:
            raise ImproperlyConfigured(
                f"CARD_SIGNING_PKCS11_CERT_LABEL: token {self.config.token_label!r} holds "
                f"{'no' if not found else len(found)} certificate(s) labelled {label!r}."
            )
        return bytes(found[0][Attribute.VALUE])

    def sign(self, data: bytes, **kwargs) -> bytes:
        """Sign `data` with the token's key; re-open the session once if it was lost."""
        session_lost, device_lost = _pkcs11_errors()
        with self._lock:
            for attempt in (1, 2):
                self._ensure_open()
                try:
                    return self._key.sign(data, **kwargs)
                except session_lost + device_lost as exc:
                    if attempt == 2:
                        raise
                    logger.warning(
                        "PKCS#11 session to token %r lost (%s); opening a new one.",
                        self.config.token_label,
                        type(exc).__name__,
                    )
                    self._drop(reinitialize=isinstance(exc, device_lost))
        raise AssertionError("unreachable")

    def close(self) -> None:
        with self._lock:
            self._drop(reinitialize=False)


def _close_quietly(session) -> None:
    try:
        session.close()
    except Exception as exc:  # already gone with its token: nothing left to close
        logger.debug("Closing a PKCS#11 session failed: %s", exc)


def _token_signer_class():
    from pyhanko.sign.pkcs11 import PKCS11Signer, select_pkcs11_signing_params

    class TokenSigner(PKCS11Signer):
        """pyHanko's PKCS11Signer whose raw signature goes through the shared Pkcs11Token (one
        session, one lock, re-opened when lost) instead of the session it was created with."""

        def __init__(self, token: Pkcs11Token, *, signing_cert, ca_chain):
            self.token = token
            super().__init__(
                token._session,
                key_label=token.config.key_label,
                signing_cert=signing_cert,
                ca_chain=ca_chain,
                other_certs_to_pull=(),
            )

        def _load_objects(self):
            # The certificate came with the constructor and the key handle lives in the token
            # object; nothing to pull from a session that may since have been replaced.
            self._loaded = True

        async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run=False) -> bytes:
            if dry_run:
                return self.estimate_raw_signature_size_bytes() * b"0"
            digest_algorithm = digest_algorithm.lower()
            spec = select_pkcs11_signing_params(
                self.get_signature_mechanism_for_digest(digest_algorithm),
                digest_algorithm,
                # ECDSA: hash here and let the token sign the digest (CKM_ECDSA). Every token has
                # the raw mechanism; the hashing ones (CKM_ECDSA_SHA256) are missing from many,
                # SoftHSM2 2.6 among them. The signed attributes are a few hundred bytes.
                use_raw_mechanism=self.signing_cert.public_key.algorithm == "ec",
                sign_kwargs={},
            )
            if spec.pre_sign_transform is not None:
                data = spec.pre_sign_transform(data)
            # Synchronously, in the caller's thread: signing.run() keeps one private event loop per
            # thread, so nothing else waits on it, and the token's lock orders the threads.
            signature = self.token.sign(data, **spec.sign_kwargs)
            if spec.post_sign_transform is not None:
                signature = spec.post_sign_transform(signature)
            return signature

        def close(self) -> None:
            """signing.reset_card_signer() closes the session with the signer."""
            self.token.close()

    return TokenSigner


def is_development_chain(certificate, roots) -> bool:
    names = [certificate.issuer, *(root.subject for root in roots)]
    return any(DEVELOPMENT_CA_MARK in (name.native.get("common_name") or "") for name in names)


def _check_key_matches_certificate(signer, certificate, config: Pkcs11Settings) -> None:
    """One test signature at load: a key that does not belong to the certificate would otherwise
    sign every card with a signature no validator accepts."""
    from cryptography.exceptions import InvalidSignature
    from pyhanko_certvalidator.sig_validate import DefaultSignatureValidator

    from hukou_card.signing import _run

    probe = b"hukou_card.signing_pkcs11 key check"
    signature = _run(signer.async_sign_raw(probe, "sha256"))
    try:
        DefaultSignatureValidator().validate_signature(
            signature,
            probe,
            certificate.public_key,
            signer.get_signature_mechanism_for_digest("sha256"),
        )
    except InvalidSignature:
        raise ImproperlyConfigured(
            f"CARD_SIGNING_PKCS11_KEY_LABEL / CARD_SIGNING_PKCS11_CERT_LABEL: the key {config.key_label!r} "
            f"on token {config.token_label!r} does not belong to the certificate {config.cert_label!r}."
        ) from None


def load_pkcs11_signer():
    """The process's CardSigner for the token (called once, under signing's lock)."""
    from asn1crypto import x509 as asn1_x509

    from hukou_card.signing import CardSigner, seal_code_for

    config = configured_pkcs11()
    roots = pkcs11_trust_roots()
    token = Pkcs11Token(config)
    try:
        certificate = asn1_x509.Certificate.load(token.read_certificate(config.cert_label))
        signer = _token_signer_class()(token, signing_cert=certificate, ca_chain=roots)
        _check_key_matches_certificate(signer, certificate, config)
    except BaseException:
        token.close()
        raise
    logger.info(
        "Cards are signed by key %r on PKCS#11 token %r (%s).",
        config.key_label,
        config.token_label,
        certificate.subject.human_friendly,
    )
    return CardSigner(
        signer=signer,
        trust_roots=roots,
        seal_code=seal_code_for(certificate),
        subject=certificate.subject.human_friendly,
        is_development=is_development_chain(certificate, roots),
        private_key=None,  # in the token: pyHanko builds the CMS, the token signs it
    )


@register("hukou_card")
def check_pkcs11_signer(app_configs=None, **kwargs):
    """With the key in an HSM, `manage.py check`, `migrate` (the web container's start) and every
    other command open the token once: a wrong PIN or a missing token stops start-up with its
    message instead of leaving every card of the day unsigned in the worker's retries."""
    if not settings.CARD_SIGNING_PKCS11_MODULE:
        return []
    from hukou_card.signing import card_signer

    try:
        card_signer()  # the process's signer: loaded here, reused afterwards
    except Exception as exc:  # a check reports what stops start-up; it does not crash itself
        return [
            Error(
                str(exc), hint="docs/operations.md, “The seal key in an HSM (PKCS#11)”.", id="hukou_card.E101"
            )
        ]
    return []
