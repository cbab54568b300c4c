from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo scenarios, load_demo and generate_bulk_data: development and benchmarks only."""

    name = "demo"
    verbose_name = "演示数据"
