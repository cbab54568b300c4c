from django.apps import AppConfig


class AuditConfig(AppConfig):
    """The append-only audit trail every feature writes to."""

    name = "audit"
    verbose_name = "审核记录"
