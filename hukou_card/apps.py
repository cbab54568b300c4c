from django.apps import AppConfig


class HukouCardConfig(AppConfig):
    name = "hukou_card"
    verbose_name = "入户信息卡"

    def ready(self):
        from hukou_card import signing_pkcs11  # noqa: F401 - registers its system check
        from hukou_card import checks  # noqa: F401 - registers the signing-key checks
