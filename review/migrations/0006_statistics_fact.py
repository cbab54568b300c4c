"""The materialised view of the 统计分析 page on PostgreSQL (review.statistics_sql says why and
what it holds); nothing on SQLite, which reads the same SELECT live."""

from django.db import migrations

from review.statistics_sql import create_view, drop_view


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0005_service_rating"),
        # After the tables' latest changes: PostgreSQL refuses to alter a column a view reads.
        ("applications", "0005_accompanying_person_details"),
        ("hukou_card", "0005_card_expiry_reminder"),
    ]

    operations = [migrations.RunPython(create_view, drop_view)]
