"""The access log of personal data is append-only, like the audit trail: PostgreSQL refuses an
UPDATE or DELETE of a row whatever the code does (TRUNCATE, the test runner's, is not affected)."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION audit_personaldataaccess_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '个人信息查阅记录不可修改或删除 (audit_personaldataaccess is append-only)'
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS audit_personaldataaccess_append_only ON audit_personaldataaccess;
CREATE TRIGGER audit_personaldataaccess_append_only
    BEFORE UPDATE OR DELETE ON audit_personaldataaccess
    FOR EACH ROW EXECUTE FUNCTION audit_personaldataaccess_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_personaldataaccess_append_only ON audit_personaldataaccess;
DROP FUNCTION IF EXISTS audit_personaldataaccess_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_personal_data_access")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
