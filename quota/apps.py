from django.apps import AppConfig


class QuotaConfig(AppConfig):
    """The 总量控制 ledger: Quota and QuotaReservation; reserve, release, consume, forfeit."""

    name = "quota"
    verbose_name = "总量控制指标"
