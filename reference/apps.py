from django.apps import AppConfig


class ReferenceConfig(AppConfig):
    """Reference data and its rules: districts, the subsystem catalogue, the calendar, working days."""

    name = "reference"
    verbose_name = "基础数据"

    def ready(self):
        from reference import signals  # noqa: F401 - connects the reference-cache receivers
