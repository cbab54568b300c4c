"""The seed's help pages promised 短信 for every status change; with SMS_BACKEND=none no SMS goes,
and an employer administrator's decision never had one (it is no SMS kind, core.sms). The seed
sentences are replaced where the city administrator left them unchanged; edited pages are kept."""

from django.db import migrations

# (slug, the seed's sentence, the sentence now in fixtures/content_pages.json)
SENTENCES = [
    ("guide-faq", "状态变化时系统也会发送短信和邮件。", "状态变化时系统也会以邮件通知您。"),
    ("guide-employer-admin", "市人社局审核后，结果以短信和邮件通知，", "市人社局审核后，结果以邮件通知，"),
]


def replace(apps, schema_editor, *, backwards=False):
    ContentPage = apps.get_model("reference", "ContentPage")
    for slug, old, new in SENTENCES:
        if backwards:
            old, new = new, old
        for page in ContentPage.objects.filter(slug=slug, body__contains=old):
            page.body = page.body.replace(old, new)
            page.save(update_fields=["body"])


class Migration(migrations.Migration):
    dependencies = [("reference", "0001_initial")]

    operations = [
        migrations.RunPython(replace, lambda apps, schema_editor: replace(apps, schema_editor, backwards=True)),
    ]
