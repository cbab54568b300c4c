"""audit/ owns the append-only trigger of its table from here on.

review's migration 0003 first created it, when the audit trail had no package of its own; that
migration stays as history. This one (re)creates the same trigger idempotently, so a database made
before or after the move ends with exactly one, and the SQL now lives with the table it guards.
PostgreSQL only; TRUNCATE (the test runner's) is not affected.
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


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("review", "0003_auditentry_append_only"),
    ]

    # Backwards leaves the trigger: review's 0003, still applied then, is what created it.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False)]
