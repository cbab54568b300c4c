from django.db import migrations


def load(apps, schema_editor):
    from reference.data import load_content_pages

    load_content_pages(apps)


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
