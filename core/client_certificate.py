"""The client certificate that nginx verified on the certificate-login server (CA登录), as Django
reads it.

TLS ends at nginx, so Django never sees the certificate itself: nginx checks it against the CA
bundle (`ssl_verify_client optional`, `ssl_client_certificate`) and passes the outcome in four
headers (deploy/nginx/portal.conf). Anyone can send those headers, so they are believed only when
the connection comes from a proxy in TRUSTED_PROXIES (core.client_ip), and nginx overwrites them on
every request it forwards: with its own verdict on the certificate server, with nothing elsewhere.
A request reaching gunicorn directly, whatever it claims, carries no certificate.
"""

import re
from dataclasses import dataclass
from enum import StrEnum

from core.client_ip import from_trusted_proxy

VERIFY_HEADER = "HTTP_X_SSL_CLIENT_VERIFY"  # nginx's $ssl_client_verify: SUCCESS, FAILED:reason, NONE
SUBJECT_HEADER = "HTTP_X_SSL_CLIENT_S_DN"  # $ssl_client_s_dn (RFC 2253)
ISSUER_HEADER = "HTTP_X_SSL_CLIENT_I_DN"  # $ssl_client_i_dn (RFC 2253)
SERIAL_HEADER = "HTTP_X_SSL_CLIENT_SERIAL"  # $ssl_client_serial (hexadecimal)
CERTIFICATE_HEADERS = (VERIFY_HEADER, SUBJECT_HEADER, ISSUER_HEADER, SERIAL_HEADER)

DN_MAX_LENGTH = 500
SERIAL_MAX_LENGTH = 64  # RFC 5280: at most 20 octets, 40 hex digits; room for a lax CA
_HEX = re.compile(r"^[0-9A-F]+$")


class CertificateState(StrEnum):
    ABSENT = "absent"  # not through the certificate server: no verdict we can believe
    NONE = "none"  # through it, but the browser presented no certificate
    FAILED = "failed"  # presented, and nginx refused it (untrusted CA, expired, revoked, ...)
    VERIFIED = "verified"


@dataclass(frozen=True)
class ClientCertificate:
    """A certificate nginx verified. A serial is unique only within its issuer, so the two together
    name the certificate."""

    subject: str
    issuer: str
    serial: str


@dataclass(frozen=True)
class CertificateReading:
    state: CertificateState
    certificate: ClientCertificate | None = None
    reason: str = ""  # nginx's words for a FAILED verdict, e.g. "certificate has expired"


def normalize_serial(value: str) -> str:
    """Hexadecimal, upper case, no separators or leading zeros: the one spelling stored and compared."""
    digits = value.strip().replace(":", "").upper().lstrip("0")
    return digits or ("0" if value.strip() else "")


# RFC 4514 escapes: an escaped backslash, or a run of hex pairs with the high bit set (UTF-8 bytes).
_DN_ESCAPES = re.compile(r"(\\\\)|((?:\\[89A-Fa-f][0-9A-Fa-f])+)")


def _utf8_escapes(match: re.Match) -> str:
    if match.group(1):
        return match.group(1)
    try:
        return bytes.fromhex(match.group(2).replace("\\", "")).decode("utf-8")
    except UnicodeDecodeError:
        return match.group(2)


def readable_dn(value: str) -> str:
    r"""A DN as nginx writes it, with its Chinese readable: nginx (RFC 2253 output, at least up to
    1.22) escapes every UTF-8 byte of CN=张三 as \E5\BC\A0...; the other escapes (of a
    comma, a plus, a backslash) stay as they are, since they are the DN's own syntax."""
    return _DN_ESCAPES.sub(_utf8_escapes, value)


def _header(request, name: str) -> str:
    # WSGI hands header values over as Latin-1; a proxy that writes raw UTF-8 is read as UTF-8.
    value = request.META.get(name, "")
    try:
        value = value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        pass
    return value.strip()


def client_certificate(request) -> CertificateReading:
    """nginx's verdict on the certificate of this request, if this request has one we may believe."""
    if not from_trusted_proxy(request):
        return CertificateReading(CertificateState.ABSENT)
    verify = _header(request, VERIFY_HEADER)
    if not verify:
        return CertificateReading(CertificateState.ABSENT)
    if verify == "NONE":
        return CertificateReading(CertificateState.NONE)
    if verify != "SUCCESS":
        reason = verify.removeprefix("FAILED:") if verify.startswith("FAILED:") else verify
        return CertificateReading(CertificateState.FAILED, reason=reason[:200])
    subject = readable_dn(_header(request, SUBJECT_HEADER))
    issuer = readable_dn(_header(request, ISSUER_HEADER))
    serial = normalize_serial(_header(request, SERIAL_HEADER))
    if (
        not subject
        or not issuer
        or len(subject) > DN_MAX_LENGTH
        or len(issuer) > DN_MAX_LENGTH
        or not _HEX.match(serial)
        or len(serial) > SERIAL_MAX_LENGTH
    ):
        # A verified certificate always has all three; anything else is a misconfigured proxy.
        return CertificateReading(CertificateState.FAILED, reason="incomplete certificate headers")
    return CertificateReading(
        CertificateState.VERIFIED, ClientCertificate(subject=subject, issuer=issuer, serial=serial)
    )
