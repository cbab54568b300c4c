from django.apps import AppConfig


class HukouCardConfig(AppConfig):
    name = "hukou_card"
    verbose_name = "入户信息卡"
