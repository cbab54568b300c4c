from django.apps import AppConfig


class HukouCardConfig(AppConfig):
    name = "hukou_card"
    verbose_name = "入户信息卡"

    def ready(self):
        # Imported for their system checks: the signing key (checks) and the HSM token (signing_pkcs11).
        from hukou_card import checks, signing_pkcs11  # noqa: F401
