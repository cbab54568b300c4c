from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared code that knows no feature and has no models; an app only for its template tags."""

    name = "core"
    verbose_name = "公共组件"
