"""A database made by the code before the layout step (portal/ held the reference models, review the
quota, applications the audit trail) migrates with this code, keeping every row and relation.

The old tree is taken from git (`git archive`), migrated and given rows by its own ORM in a scratch
PostgreSQL database; then this tree migrates the same database and reads the rows back through the
models' new owners.
"""

import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The last commit before any package moved (docs/operations.md's security section).
BEFORE_THE_MOVE = "0973f2e"

pytestmark = pytest.mark.postgres

OLD_ROWS = """
from accounts.models import Employer, User
from applications.models import Application, AuditEntry, TalentSubcategory
from portal.models import CalendarOverride, District, Subsystem, UserSubsystem
from review.models import Quota, QuotaReservation
import datetime
tianhe = District.objects.get(code="440106")
user = User.objects.create(username="before_move", full_name="张三", id_number="11010519491231002X", district=tianhe)
UserSubsystem.objects.create(user=user, subsystem=Subsystem.objects.get(slug="talent-introduction"))
CalendarOverride.objects.create(date=datetime.date(2031, 1, 2), is_working_day=True, note="调休")
employer = Employer.objects.create(name="广州天河软件科技有限公司", credit_code="91440101MA5CYUF0XU", district=tianhe)
application = Application.objects.create(applicant=user, district=tianhe, employer=employer,
    subcategory=TalentSubcategory.objects.get(code="5.1"), year=2026)
quota = Quota.objects.create(year=2026, district=tianhe, total_places=3, reserved=1)
QuotaReservation.objects.create(quota=quota, application=application)
AuditEntry.objects.create(application=application, action="submit", actor=user, reason="before the move")
print("OLD-ROWS-OK")
"""

NEW_ROWS = """
from django.contrib.contenttypes.models import ContentType
from accounts.models import User, UserSubsystem
from applications.models import Application
from audit.models import AuditEntry
from quota.models import Quota, QuotaReservation
from reference.models import CalendarOverride, ContentPage, District
user = User.objects.get(username="before_move")
assert user.district.code == "440106", user.district
assert UserSubsystem.objects.get(user=user).subsystem.slug == "talent-introduction"
assert CalendarOverride.objects.get().note == "调休"
application = Application.objects.get(applicant=user)
assert application.district == District.objects.get(code="440106")
reservation = QuotaReservation.objects.get(application=application)
assert (reservation.quota.total_places, reservation.quota.reserved) == (3, 1)
assert application.audit_entries.get().reason == "before the move"
assert ContentPage.objects.filter(slug="guide-declaration").exists()
for app_label, model in [("reference", "district"), ("reference", "subsystem"), ("reference", "calendaroverride"),
                         ("reference", "contentpage"),
                         ("accounts", "usersubsystem"), ("quota", "quota"), ("quota", "quotareservation"),
                         ("audit", "auditentry")]:
    assert ContentType.objects.filter(app_label=app_label, model=model).count() == 1, (app_label, model)
for app_label, model in [("portal", "district"), ("review", "quota"), ("applications", "auditentry")]:
    assert not ContentType.objects.filter(app_label=app_label, model=model).exists(), (app_label, model)
print("NEW-ROWS-OK")
"""


def _run(args, *, cwd, env):
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"{args} in {cwd}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout


@pytest.fixture
def scratch_database():
    from django.conf import settings

    base = settings.DATABASES["default"]
    name = f"migrate_before_move_{uuid.uuid4().hex[:8]}"
    admin = ["psql", "-h", base["HOST"] or "127.0.0.1", "-p", str(base["PORT"] or 5432), "-U", base["USER"]]
    env = {**os.environ, "PGPASSWORD": base.get("PASSWORD") or ""}
    subprocess.run([*admin, "-qc", f'CREATE DATABASE "{name}"', "postgres"], check=True, env=env)
    try:
        user = base["USER"]
        password = f":{base['PASSWORD']}" if base.get("PASSWORD") else ""
        yield f"postgres://{user}{password}@{base['HOST'] or '127.0.0.1'}:{base['PORT'] or 5432}/{name}"
    finally:
        subprocess.run([*admin, "-qc", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', "postgres"], env=env)


def test_a_database_made_before_the_move_migrates_and_keeps_its_rows(scratch_database, tmp_path):
    old_tree = tmp_path / "before"
    old_tree.mkdir()
    archive = tmp_path / "before.tar"
    _run(["git", "archive", "--format=tar", "-o", str(archive), BEFORE_THE_MOVE], cwd=ROOT, env=os.environ)
    with tarfile.open(archive) as tar:
        tar.extractall(old_tree, filter="data")

    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DJANGO_SETTINGS_MODULE", "REDIS_URL", "CELERY_BROKER_URL", "PYTHONPATH")
    }
    env.update(DATABASE_URL=scratch_database, DJANGO_DEBUG="1", PRIVATE_MEDIA_ROOT=str(tmp_path / "private"))
    _run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=old_tree, env=env)
    assert "OLD-ROWS-OK" in _run([sys.executable, "manage.py", "shell", "-c", OLD_ROWS], cwd=old_tree, env=env)

    _run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env)
    _run([sys.executable, "manage.py", "migrate", "--check", "-v0"], cwd=ROOT, env=env)
    assert "NEW-ROWS-OK" in _run([sys.executable, "manage.py", "shell", "-c", NEW_ROWS], cwd=ROOT, env=env)
