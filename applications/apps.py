from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = "人才引进申报"

    def ready(self):
        from applications import checks, signals  # noqa: F401 - registers the checks, connects the receivers
