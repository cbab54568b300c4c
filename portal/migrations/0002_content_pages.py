from django.db import migrations


def load(apps, schema_editor):
    # fixtures/content_pages.json; pages that exist are left as the administrator edited them.
    from reference.fixtures import CONTENT_PAGES, load_fixtures

    load_fixtures(apps, (CONTENT_PAGES,))


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
