"""The card-signing key, checked before anything serves (core/checks.py says how they run).

Production (DJANGO_DEBUG=0) refuses to start without the bureau's key: the development CA would
sign cards that look genuine. In any mode, a key that is configured must load: a missing or
unreadable file, or a wrong passphrase, is named here rather than found by the first card.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, register

from hukou_card import signing


@register()
def check_card_signing_key(app_configs=None, **kwargs) -> list[Error]:
    key, cert, ca = settings.CARD_SIGNING_KEY, settings.CARD_SIGNING_CERT, settings.CARD_SIGNING_CA_CERT
    if settings.CARD_SIGNING_PKCS11_MODULE:
        return []  # the key is in an HSM: hukou_card.signing_pkcs11's check (E101) opens the token
    if signing.uses_development_ca():
        if settings.PRODUCTION:
            return [
                Error(
                    "No card-signing key is configured (CARD_SIGNING_KEY, CARD_SIGNING_CERT): the development CA "
                    "would sign every card.",
                    hint="Mount the bureau's PEM key and certificates and set CARD_SIGNING_KEY, CARD_SIGNING_CERT, "
                    "CARD_SIGNING_CA_CERT (and CARD_SIGNING_KEY_PASSPHRASE) (docs/operations.md, section 5).",
                    id="hukou_card.E001",
                )
            ]
        return []
    if not (key and cert):
        missing = "CARD_SIGNING_CERT" if key else "CARD_SIGNING_KEY"
        return [
            Error(
                f"{missing} is not set: CARD_SIGNING_KEY and CARD_SIGNING_CERT go together.",
                id="hukou_card.E002",
            )
        ]
    named = [("CARD_SIGNING_KEY", key), ("CARD_SIGNING_CERT", cert)]
    if ca:
        named.append(("CARD_SIGNING_CA_CERT", ca))
    errors = [
        Error(
            f"{name}={path}: {problem}.",
            hint="Mount the file read-only into this container and make it readable by the portal's user.",
            id="hukou_card.E003",
        )
        for name, path in named
        if (problem := signing.unreadable(Path(path)))
    ]
    if errors:
        return errors
    try:
        signing._load_signer(signing.configured_credentials())
    except Exception as exc:  # noqa: BLE001 - any failure to load is the message to show
        return [
            Error(
                f"The card-signing key cannot be loaded: {exc}",
                hint="Check CARD_SIGNING_KEY_PASSPHRASE and that the files are the PEM key and certificates.",
                id="hukou_card.E004",
            )
        ]
    return []
