from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared code that knows no feature; its one model is the task outbox (core/outbox.py), and it
    registers the template tags and the system checks (production's stand-ins, the SMS gateway)."""

    name = "core"
    verbose_name = "公共组件"

    def ready(self):
        from django.core.checks import register

        from core import checks  # noqa: F401 - registers the production checks
        from core.sms import check_sms_settings

        register(check_sms_settings)
