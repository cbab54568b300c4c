from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "review"
    verbose_name = "审核与公示"
