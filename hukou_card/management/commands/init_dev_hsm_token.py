"""`manage.py init_dev_hsm_token`: a development SoftHSM2 token holding a card-seal key.

What a bureau's HSM administrator does once, on a software token for development and CI: a private
SOFTHSM2_CONF and token directory, a token, a key pair generated inside the token (the private key
is never outside it: sensitive, not extractable), a certificate for it issued by a throw-away
development CA (its name says 仅供开发测试, so cards signed with it say they are development
cards), imported into the token beside the key, and the PIN in a file. Prints the environment to
set. Run again with the same directory and label, it changes nothing and prints the same lines.

Run it in a process of its own: SoftHSM2 reads SOFTHSM2_CONF once, when the library is initialised.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess  # nosec B404
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from hukou_card.signing import development_certificates
from hukou_card.signing_pkcs11 import DEVELOPMENT_CA_MARK

DEFAULT_MODULE = "/usr/lib/softhsm/libsofthsm2.so"


class Command(BaseCommand):
    help = (
        "初始化开发用 SoftHSM2 令牌：在令牌内生成签章密钥，导入开发CA签发的证书，写出PIN文件并打印环境变量。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir",
            type=Path,
            default=Path(settings.BASE_DIR) / "var" / "softhsm",
            help="where softhsm2.conf, the token directory, the PIN file and the CA go (default var/softhsm/)",
        )
        parser.add_argument(
            "--module", default=DEFAULT_MODULE, help=f"PKCS#11 library (default {DEFAULT_MODULE})"
        )
        parser.add_argument("--token-label", default="portal-dev-seal")
        parser.add_argument("--key-label", default="card-seal")
        parser.add_argument(
            "--key-type", choices=("ec", "rsa"), default="ec", help="EC P-256 (default) or RSA-3072"
        )

    def handle(self, *args, **options):
        directory: Path = options["dir"].resolve()
        module, token_label, key_label = options["module"], options["token_label"], options["key_label"]
        if not os.path.isfile(module):
            raise CommandError(f"找不到 PKCS#11 库 {module}（Debian: apt-get install softhsm2）。")
        tool = shutil.which("softhsm2-util")
        if tool is None:
            raise CommandError("找不到 softhsm2-util（Debian: apt-get install softhsm2）。")

        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        conf = directory / "softhsm2.conf"
        tokens = directory / "tokens"
        tokens.mkdir(mode=0o700, exist_ok=True)
        if not conf.exists():
            conf.write_text(
                f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n"
                "slots.removable = false\n",
                encoding="utf-8",
            )
        os.environ["SOFTHSM2_CONF"] = str(conf)
        env = {**os.environ, "SOFTHSM2_CONF": str(conf)}

        import pkcs11

        library = pkcs11.lib(module)
        library.reinitialize()  # read SOFTHSM2_CONF now, whatever this process did before
        # Named by the token: one directory (one SOFTHSM2_CONF) can hold several tokens.
        pin_path, ca_path = directory / f"{token_label}.pin", directory / f"{token_label}-ca.pem"
        try:
            library.get_token(token_label=token_label)
        except pkcs11.NoSuchToken:
            pin, so_pin = secrets.token_hex(8), secrets.token_hex(8)
            # softhsm2-util initialises the token: a fixed program, with arguments built here.
            subprocess.run(  # nosec B603  # noqa: S603
                [tool, "--init-token", "--free", "--label", token_label, "--pin", pin, "--so-pin", so_pin],
                env=env,
                check=True,
                capture_output=True,
            )
            library.reinitialize()  # the new token appears in a new slot
            ca_pem = self._make_key_and_certificate(
                library.get_token(token_label=token_label), pin, key_label, options["key_type"]
            )
            _write_private(pin_path, pin + "\n")
            _write_private(directory / f"{token_label}.so-pin", so_pin + "\n")
            ca_path.write_bytes(ca_pem)
            self.stdout.write(
                self.style.SUCCESS(f"已创建令牌 {token_label!r}，密钥 {key_label!r} 在令牌内生成。")
            )
        else:
            if not (pin_path.exists() and ca_path.exists()):
                raise CommandError(
                    f"令牌 {token_label!r} 已存在，但 {directory} 中缺少 PIN 文件或CA证书；请换一个目录或标签。"
                )
            self.stdout.write(f"令牌 {token_label!r} 已存在，未作改动。")
        self.stdout.write("请设置以下环境变量：")
        for name, value in (
            ("SOFTHSM2_CONF", conf),
            ("CARD_SIGNING_PKCS11_MODULE", module),
            ("CARD_SIGNING_PKCS11_TOKEN_LABEL", token_label),
            ("CARD_SIGNING_PKCS11_KEY_LABEL", key_label),
            ("CARD_SIGNING_PKCS11_CERT_LABEL", key_label),
            ("CARD_SIGNING_PKCS11_PIN_FILE", pin_path),
            ("CARD_SIGNING_CA_CERT", ca_path),
        ):
            self.stdout.write(f"{name}={value}")

    def _make_key_and_certificate(self, token, pin: str, key_label: str, key_type: str) -> bytes:
        """Generate the key pair in the token, certify it, import the certificates; the CA's PEM."""
        from cryptography.hazmat.primitives import serialization
        from pkcs11 import Attribute, KeyType
        from pkcs11.util.ec import encode_ec_public_key, encode_named_curve_parameters
        from pkcs11.util.rsa import encode_rsa_public_key
        from pkcs11.util.x509 import decode_x509_certificate

        key_id = secrets.token_bytes(8)
        # Never readable from the token, not even wrapped: the seal's key exists only inside it.
        private = {Attribute.SENSITIVE: True, Attribute.EXTRACTABLE: False}
        with token.open(rw=True, user_pin=pin) as session:
            if key_type == "ec":
                params = session.create_domain_parameters(
                    KeyType.EC, {Attribute.EC_PARAMS: encode_named_curve_parameters("secp256r1")}, local=True
                )
                public, _ = params.generate_keypair(
                    store=True, label=key_label, id=key_id, private_template=private
                )
                public_der = encode_ec_public_key(public)
            else:
                public, _ = session.generate_keypair(
                    KeyType.RSA, 3072, store=True, label=key_label, id=key_id, private_template=private
                )
                public_der = encode_rsa_public_key(public)
            ca, leaf = development_certificates(
                serialization.load_der_public_key(public_der),
                ca_common_name=f"入户信息卡签章HSM开发根CA（{DEVELOPMENT_CA_MARK}）",
                seal_common_name="广州市入户人员信息卡电子专用章（开发，HSM）",
            )
            for certificate, label, cert_id in ((leaf, key_label, key_id), (ca, f"{key_label}-ca", b"ca")):
                attributes = decode_x509_certificate(certificate.public_bytes(serialization.Encoding.DER))
                attributes.update({Attribute.TOKEN: True, Attribute.LABEL: label, Attribute.ID: cert_id})
                session.create_object(attributes)
        return ca.public_bytes(serialization.Encoding.PEM)


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
