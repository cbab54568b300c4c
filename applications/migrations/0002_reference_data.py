from django.db import migrations


def load(apps, schema_editor):
    # fixtures/*.json through this point's historical models (District and Subsystem still in portal).
    from reference.fixtures import REFERENCE_FIXTURES, load_fixtures

    load_fixtures(apps, REFERENCE_FIXTURES)


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0001_initial"),
        ("portal", "0001_initial"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
