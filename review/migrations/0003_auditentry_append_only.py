"""The audit trail is append-only in the database too: no screen, shell or bug can rewrite it.

AuditEntry.save()/delete() already refuse in Python; this trigger also stops a queryset
.update()/.delete() or raw SQL. PostgreSQL only (the vendor CI and production use); TRUNCATE,
which the test runner uses to empty tables, is not affected.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION applications_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '审核记录不可修改或删除 (applications_auditentry is append-only)'
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS applications_auditentry_append_only ON applications_auditentry;
CREATE TRIGGER applications_auditentry_append_only
    BEFORE UPDATE OR DELETE ON applications_auditentry
    FOR EACH ROW EXECUTE FUNCTION applications_auditentry_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS applications_auditentry_append_only ON applications_auditentry;
DROP FUNCTION IF EXISTS applications_auditentry_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0001_initial"),
        ("review", "0002_quota_constraint_messages"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
