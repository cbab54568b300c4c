"""The materialised view of the 统计分析 page on PostgreSQL (review.statistics_sql says why and
what it holds); nothing on SQLite, which reads the same SELECT live."""

from django.db import migrations

from review.statistics_sql import create_view, drop_view


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0004_moved_to_their_owners"),
        ("applications", "0004_moved_to_their_owners"),
        ("hukou_card", "0004_card_signed_by_development_ca"),
    ]

    operations = [migrations.RunPython(create_view, drop_view)]
