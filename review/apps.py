from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "review"
    verbose_name = "审核与公示"

    def ready(self):
        from review import signals  # noqa: F401 - connects the cache-version receivers
