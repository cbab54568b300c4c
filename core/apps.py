from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared code that knows no feature and has no models; an app for its template tags and system checks."""

    name = "core"
    verbose_name = "公共组件"

    def ready(self):
        from core import checks  # noqa: F401 - registers the production checks
