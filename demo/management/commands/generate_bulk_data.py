"""Fill PostgreSQL with a city's worth of synthetic data for the benchmarks (docs/performance.md).

1,000,000 applications across the 11 districts and every state, with their applicants, accompanying
persons, audit rows, notice batches, quota and cards, in a few minutes on 2 cores: every table is
filled by one `INSERT … SELECT … FROM generate_series()` that PostgreSQL runs by itself. Columns are
read from the models, so a field added later gets its default without touching this command.
"""

import json
import time
import uuid

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.utils import timezone

from accounts.models import Employer, User
from applications.models import AccompanyingPerson, Application
from audit.models import AuditEntry
from hukou_card.models import HukouCard
from quota.models import Quota, QuotaReservation
from reference.models import District
from review.models import NoticeEntry, PublicNotice

BULK_PREFIX = "bulk"
# Share of applications per status, in per-mille: a snapshot of three years at ~330,000 a year.
# Most are finished; what is in hand is about one week's inflow (submitted, in the notice) or a few
# weeks' (under review), as in a real year.
STATUS_MIX = [
    ("published", 700),
    ("rejected", 150),
    ("withdrawn", 60),
    ("draft", 40),
    ("under_review", 25),
    ("in_notice", 9),
    ("submitted", 8),
    ("returned", 8),
]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红文斌宇浩凯晨欣怡子涵梓轩"


def _literal(value) -> str:
    return connection.ops.compose_sql("%s", [value])


def _default_sql(field: models.Field) -> str:
    """The SQL expression that gives `field` its model default for every row."""
    if field.has_default():
        if field.default is uuid.uuid4:
            return "gen_random_uuid()"
        value = field.get_default()
        if isinstance(value, list | dict):
            return f"{_literal(json.dumps(value))}::jsonb"
        return _literal(field.get_db_prep_save(value, connection))
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return "now()"
    if field.null:
        return "NULL"
    if isinstance(field, models.CharField | models.TextField | models.FileField):
        return "''"
    if isinstance(field, models.BooleanField):
        return "false"
    if isinstance(field, models.IntegerField | models.DecimalField):
        return "0"
    raise CommandError(f"{field.model.__name__}.{field.name} has no default: give it an expression here.")


def insert_select(model, exprs: dict[str, str], from_sql: str) -> int:
    """INSERT INTO the model's table every concrete column: `exprs[column]` or the model default.

    Only trusted, code-written SQL reaches here (no user input), executed without parameters.
    """
    unknown = set(exprs) - {f.column for f in model._meta.concrete_fields}
    if unknown:
        raise CommandError(f"{model.__name__}: no such columns {sorted(unknown)}")
    columns, selects = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key and isinstance(field, models.AutoField):
            continue
        columns.append(connection.ops.quote_name(field.column))
        selects.append(exprs.get(field.column) or _default_sql(field))
    sql = (
        f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({', '.join(columns)}) "  # nosec B608
        f"SELECT {', '.join(selects)} FROM {from_sql}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.rowcount


class Command(BaseCommand):
    help = "Generate synthetic applicants, applications and everything around them (PostgreSQL only)."

    def add_arguments(self, parser):
        parser.add_argument("--applications", type=int, default=1_000_000)
        parser.add_argument("--employers", type=int, default=20_000)

    def handle(self, *args, applications: int, employers: int, **options):
        if connection.vendor != "postgresql":
            raise CommandError("generate_bulk_data needs PostgreSQL (set DATABASE_URL).")
        if District.objects.count() != 11:
            raise CommandError("Reference data missing: run `manage.py migrate` first.")
        started = time.perf_counter()
        if User.objects.filter(username__startswith=f"{BULK_PREFIX}_").exists():
            raise CommandError(
                "Bulk data already present: generate into a fresh database (bench/run.py does)."
            )

        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
                cursor.execute(_SQL_HELPERS)
            steps = [
                ("employers", lambda: self._employers(employers), Employer),
                ("applicants", lambda: self._users(applications), User),
                ("applications", lambda: self._applications(applications, employers), Application),
                ("accompanying persons", self._persons, AccompanyingPerson),
                ("notice batches", self._notices, PublicNotice),
                ("notice entries", self._notice_entries, NoticeEntry),
                ("quota", self._quota, Quota),
                ("quota reservations", self._reservations, QuotaReservation),
                ("audit rows", self._audit, AuditEntry),
                ("cards", self._cards, HukouCard),
            ]
            for label, step, model in steps:
                t0 = time.perf_counter()
                rows = step()
                # Statistics now, inside the transaction: the next step's joins need real row counts
                # or the planner picks nested loops over a million rows.
                with connection.cursor() as cursor:
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
                self.stdout.write(f"  {label:<22} {rows:>10,} rows  {time.perf_counter() - t0:6.1f} s")
        self.stdout.write(self.style.SUCCESS(f"Bulk data ready in {time.perf_counter() - started:.0f} s."))

    # --- steps ------------------------------------------------------------------------------
    def _employers(self, count: int) -> int:
        return insert_select(
            Employer,
            {
                "name": "'广州' || (ARRAY['天河','白云','黄埔','番禺','海珠','越秀','南沙','花都'])[1 + g % 8] || "
                "(ARRAY['智能','软件','生物','新材料','金融','物流','医药','电子'])[1 + (g / 8) % 8] || "
                "'科技有限公司' || g || '（批量）'",
                "credit_code": "pg_temp.bulk_credit_code(g)",
                "district_id": "(SELECT id FROM portal_district ORDER BY sort_order OFFSET g % 11 LIMIT 1)",
                "is_key_employer": "g % 50 = 0",
                "address": "'广州市示例路' || g || '号'",
            },
            f"generate_series(1, {int(count)}) AS g",
        )

    def _users(self, count: int) -> int:
        surnames = "(ARRAY[" + ",".join(f"'{c}'" for c in SURNAMES) + "])"
        given = "(ARRAY[" + ",".join(f"'{c}'" for c in GIVEN) + "])"
        return insert_select(
            User,
            {
                "username": f"'{BULK_PREFIX}_' || g",
                "password": "'!'",  # unusable password: bulk applicants never log in by password
                "full_name": f"{surnames}[1 + g % {len(SURNAMES)}] || {given}[1 + (g / 7) % {len(GIVEN)}]"
                f" || {given}[1 + (g / 3) % {len(GIVEN)}]",
                "id_number": "pg_temp.bulk_resident_id(g)",
                "email": f"'{BULK_PREFIX}' || g || '@example.com'",
                "mobile": "'13' || lpad((g % 1000000000)::text, 9, '0')",
                "date_joined": "now() - (g % 1000) * interval '1 day'",
                "role": "'applicant'",
            },
            f"generate_series(1, {int(count)}) AS g",
        )

    def _applications(self, count: int, employer_count: int) -> int:
        # Status from the mix by position in a 1000-cycle; district, category and dates vary by g.
        cases, upper = [], 0
        for status, share in STATUS_MIX:
            upper += share
            cases.append(f"WHEN g % 1000 < {upper} THEN '{status}'")
        status_sql = "CASE " + " ".join(cases) + " END"
        sources = (
            f"generate_series(1, {int(count)}) AS g "  # nosec B608 - constants only
            f"JOIN accounts_user u ON u.username = '{BULK_PREFIX}_' || g "
            "JOIN (SELECT id, district_id, row_number() OVER (ORDER BY id) - 1 AS rn "
            "      FROM accounts_employer WHERE name LIKE '%（批量）') e "
            f"  ON e.rn = g % {int(employer_count)} "
            "JOIN portal_district d ON d.id = e.district_id "
            "JOIN applications_talentsubcategory s "
            "  ON s.code = (ARRAY['2.1','2.2','2.3','3.1','3.2','4.2','4.3','5.1','5.4','1.3'])[1 + (g / 3) % 10]"
        )
        return insert_select(
            Application,
            {
                "number": f"CASE WHEN ({status_sql}) = 'draft' THEN NULL ELSE 'GZRC' || (2024 + g % 3) || lpad((50000000 + g)::text, 8, '0') END",  # clear of real numbers
                "applicant_id": "u.id",
                "year": "2024 + g % 3",
                "status": status_sql,
                "completed_steps": """'["commitment","declaration","category","personal","family","attachments"]'::jsonb""",
                "commitment_accepted_at": "now() - (g % 1000) * interval '1 day'",
                "conditions_confirmed": "true",
                "category_id": "s.category_id",
                "subcategory_id": "s.id",
                "full_name": "u.full_name",
                "id_type": "'resident_id'",
                "id_number": "u.id_number",
                "gender": "CASE WHEN substr(u.id_number, 17, 1)::int % 2 = 1 THEN '男' ELSE '女' END",
                "birth_date": "to_date(substr(u.id_number, 7, 8), 'YYYYMMDD')",
                "ethnicity": "'汉族'",
                "marital_status": "CASE WHEN g % 3 = 0 THEN '未婚' ELSE '已婚' END",
                "education": "(ARRAY['博士研究生','硕士研究生','大学本科（全日制）','大学专科'])[1 + g % 4]",
                "degree": "(ARRAY['博士','硕士','学士','无'])[1 + g % 4]",
                "graduate_school": "(ARRAY['中山大学','华南理工大学','暨南大学','华南师范大学','广东工业大学'])[1 + g % 5]",
                "major": "(ARRAY['计算机科学与技术','临床医学','机械工程','金融学','材料科学'])[1 + g % 5]",
                "professional_title": "(ARRAY['副高级','中级','初级','无'])[1 + g % 4]",
                "skill_qualification": "'无'",
                "professional_qualification": "'无'",
                "shortage_occupation": "'无'",
                "position": "(ARRAY['工程师','研发经理','主治医师','技术总监','项目经理'])[1 + g % 5]",
                "employer_id": "e.id",
                "original_registry_office": "'湖南省长沙市公安局岳麓分局'",
                "original_hukou_address": "'湖南省长沙市岳麓区麓山南路' || g % 500 || '号'",
                "district_id": "e.district_id",
                "intended_address": "'广州市' || d.name || '示例路' || g % 900 || '号'",
                "social_insurance_months": "6 + g % 60",
                "contact_mobile": "u.mobile",
                "submitted_at": f"CASE WHEN ({status_sql}) = 'draft' THEN NULL ELSE now() - (g % 1000) * interval '1 day' END",
                "last_submitted_at": f"CASE WHEN ({status_sql}) = 'draft' THEN NULL ELSE now() - (g % 1000) * interval '1 day' END",
                "accept_due_on": f"CASE WHEN ({status_sql}) = 'draft' THEN NULL ELSE (now() - (g % 1000) * interval '1 day' + interval '7 days')::date END",
                "accepted_at": f"CASE WHEN ({status_sql}) IN ('under_review','in_notice','published','rejected') THEN now() - (g % 1000) * interval '1 day' + interval '3 days' END",
                "decision_due_on": f"CASE WHEN ({status_sql}) IN ('under_review','in_notice','published','rejected') THEN (now() - (g % 1000) * interval '1 day' + interval '25 days')::date END",
                "correction_items": f"""CASE WHEN ({status_sql}) = 'returned' THEN '["身份证扫描件不清晰，请重新上传。"]'::jsonb ELSE '[]'::jsonb END""",
                "decision_reason": f"CASE WHEN ({status_sql}) = 'rejected' THEN '不符合申报条件。' ELSE '' END",
                "decided_at": f"CASE WHEN ({status_sql}) IN ('in_notice','published','rejected') THEN now() - (g % 1000) * interval '1 day' + interval '10 days' END",
                "published_at": f"CASE WHEN ({status_sql}) = 'published' THEN now() - (g % 1000) * interval '1 day' + interval '20 days' END",
                "created_at": "now() - (g % 1000) * interval '1 day' - interval '2 days'",
                "updated_at": "now() - (g % 1000) * interval '1 day'",
            },
            sources,
        )

    def _bulk_apps(self) -> str:
        return f"applications_application a JOIN accounts_user u ON u.id = a.applicant_id AND u.username LIKE '{BULK_PREFIX}\\_%'"

    def _persons(self) -> int:
        spouses = insert_select(
            AccompanyingPerson,
            {
                "application_id": "a.id",
                "full_name": "'配偶' || a.id",
                "id_number": "pg_temp.bulk_resident_id(4001 + a.id)",
                "relation": "'配偶'",
                "gender": "'女'",
                "birth_date": "to_date(substr(pg_temp.bulk_resident_id(4001 + a.id), 7, 8), 'YYYYMMDD')",
            },
            f"{self._bulk_apps()} WHERE a.marital_status = '已婚' AND a.id % 5 < 3",
        )
        children = insert_select(
            AccompanyingPerson,
            {
                "application_id": "a.id",
                "full_name": "'子女' || a.id",
                "id_number": "pg_temp.bulk_resident_id(2003 + a.id)",
                "relation": "'女儿'",
                "gender": "'女'",
                "birth_date": "current_date - interval '6 years'",
            },
            f"{self._bulk_apps()} WHERE a.marital_status = '已婚' AND a.id % 5 < 2",
        )
        return spouses + children

    def _notices(self) -> int:
        # One batch per district per week over three years.
        return insert_select(
            PublicNotice,
            {
                "district_id": "d.id",
                "title": "d.name || '引进人才入户公示（批量）第' || w || '批'",
                "start_date": "(current_date - w * 7)",
                "end_date": "(current_date - w * 7 + 7)",
                "status": "CASE WHEN w = 0 THEN 'open' ELSE 'closed' END",
            },
            "portal_district d CROSS JOIN generate_series(0, 155) AS w",
        )

    def _notice_entries(self) -> int:
        return insert_select(
            NoticeEntry,
            {
                "notice_id": "n.id",
                "application_id": "a.id",
            },
            f"""{self._bulk_apps()} JOIN review_publicnotice n ON n.district_id = a.district_id
                AND n.title LIKE '%（批量）%'
                AND n.start_date = current_date - ((CASE WHEN a.status = 'in_notice' THEN 0 ELSE 1 + a.id % 155 END) * 7)::int
            WHERE a.status IN ('in_notice', 'published')""",
        )

    def _quota(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                """INSERT INTO review_quota (year, district_id, employer_id, total_places, reserved, used, updated_at)
                SELECT y, d.id, NULL, 100000, 0, 0, now() FROM portal_district d CROSS JOIN generate_series(2024, 2026) y
                ON CONFLICT (year, district_id) WHERE employer_id IS NULL
                DO UPDATE SET total_places = GREATEST(review_quota.total_places, EXCLUDED.total_places)"""
            )
            return cursor.rowcount

    def _reservations(self) -> int:
        rows = insert_select(
            QuotaReservation,
            {
                "quota_id": "q.id",
                "application_id": "a.id",
                "status": "CASE WHEN a.status = 'published' THEN 'consumed' ELSE 'reserved' END",
            },
            f"{self._bulk_apps()} JOIN applications_talentcategory c ON c.id = a.category_id "
            "JOIN review_quota q ON q.year = a.year AND q.district_id = a.district_id AND q.employer_id IS NULL "
            "WHERE c.is_quota_controlled AND a.status IN ('in_notice', 'published')",
        )
        with connection.cursor() as cursor:
            cursor.execute(
                """UPDATE review_quota q SET
                     reserved = (SELECT count(*) FROM review_quotareservation r WHERE r.quota_id = q.id AND r.status = 'reserved'),
                     used = (SELECT count(*) FROM review_quotareservation r WHERE r.quota_id = q.id AND r.status IN ('consumed', 'forfeited'))
                   WHERE q.employer_id IS NULL"""
            )
        return rows

    def _audit(self) -> int:
        # The path each final state implies: submit → accept → approve → publish, and the others.
        steps = [
            ("submit", "draft", "submitted", "a.status <> 'draft'"),
            ("return_for_correction", "submitted", "returned", "a.status = 'returned'"),
            ("withdraw", "submitted", "withdrawn", "a.status = 'withdrawn'"),
            (
                "accept",
                "submitted",
                "under_review",
                "a.status IN ('under_review','in_notice','published','rejected')",
            ),
            ("reject", "under_review", "rejected", "a.status = 'rejected'"),
            ("approve", "under_review", "in_notice", "a.status IN ('in_notice','published')"),
            ("publish", "in_notice", "published", "a.status = 'published'"),
        ]
        total = 0
        for offset, (action, source, target, condition) in enumerate(steps):
            total += insert_select(
                AuditEntry,
                {
                    "application_id": "a.id",
                    "subject_user_id": "a.applicant_id",
                    "action": f"'{action}'",
                    "from_status": f"'{source}'",
                    "to_status": f"'{target}'",
                    "actor_id": "a.applicant_id" if action in ("submit", "withdraw") else "NULL",
                    "actor_role": "'applicant'" if action in ("submit", "withdraw") else "'system'",
                    "reason": "'身份证扫描件不清晰，请重新上传。'"
                    if action == "return_for_correction"
                    else "''",
                    "created_at": f"coalesce(a.submitted_at, a.created_at) + interval '{offset} days'",
                },
                f"{self._bulk_apps()} WHERE {condition}",
            )
        return total

    def _cards(self) -> int:
        today = timezone.localdate()
        return insert_select(
            HukouCard,
            {
                "number": "'9' || lpad(a.id::text, 15, '0')",
                "verification_code": "upper(substr(md5(a.id::text), 1, 6))",
                "application_id": "a.id",
                "move_type": "'主迁'",
                "holder_name": "a.full_name",
                "holder_id_number": "a.id_number",
                "approval_number": "'穗' || d.name || '人社引〔' || a.year || '〕' || a.id || '号'",
                "issuing_bureau": "'广州市' || d.name || '人力资源和社会保障局'",
                "issued_on": "a.published_at::date",
                "valid_until": "a.published_at::date + 90",
                "status": f"CASE WHEN a.published_at::date + 90 < DATE '{today.isoformat()}' THEN 'used' ELSE 'valid' END",
            },
            f"{self._bulk_apps()} JOIN portal_district d ON d.id = a.district_id WHERE a.status = 'published'",
        )


# Valid identity numbers and credit codes computed in SQL (ISO 7064 MOD 11-2, GB 32100), so the
# bulk data passes the same validators as real input. Temporary functions: gone with the session.
_SQL_HELPERS = """
CREATE OR REPLACE FUNCTION pg_temp.bulk_id_check(first17 text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT substr('10X98765432', 1 + (substr(first17, 1, 1)::int * 7 + substr(first17, 2, 1)::int * 9 + substr(first17, 3, 1)::int * 10 + substr(first17, 4, 1)::int * 5 + substr(first17, 5, 1)::int * 8 + substr(first17, 6, 1)::int * 4 + substr(first17, 7, 1)::int * 2 + substr(first17, 8, 1)::int * 1 + substr(first17, 9, 1)::int * 6 + substr(first17, 10, 1)::int * 3 + substr(first17, 11, 1)::int * 7 + substr(first17, 12, 1)::int * 9 + substr(first17, 13, 1)::int * 10 + substr(first17, 14, 1)::int * 5 + substr(first17, 15, 1)::int * 8 + substr(first17, 16, 1)::int * 4 + substr(first17, 17, 1)::int * 2) % 11, 1)
$$;
CREATE OR REPLACE FUNCTION pg_temp.bulk_resident_id(n bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT f || pg_temp.bulk_id_check(f) FROM (
    SELECT (ARRAY['430104','440106','360102','450103','420106','510107','350102','370202'])[1 + n % 8]
      || to_char(DATE '1978-01-01' + (n % 8000)::int, 'YYYYMMDD')
      || lpad(((n / 8000) % 1000)::text, 3, '0') AS f
  ) s
$$;
CREATE OR REPLACE FUNCTION pg_temp.bulk_credit_code(n bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT f || substr('0123456789ABCDEFGHJKLMNPQRTUWXY', 1 + (31 - (
      SELECT sum((strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(f, i, 1)) - 1)
                 * (ARRAY[1,3,9,27,19,26,16,17,20,29,25,13,8,24,10,30,28])[i]) % 31
      FROM generate_series(1, 17) i)::int) % 31, 1)
  FROM (SELECT '91440106MB' || lpad(n::text, 7, '0') AS f) s
$$;
"""
