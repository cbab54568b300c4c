"""The counted cells of the 统计分析 page (review.statistics), one SELECT for PostgreSQL and SQLite.

Each row counts applications (or their cards, or objections) sharing one year, district, category
and `kind`; `kind` says what k1, k2 and flag mean:
  app        k1 status, k2 month (YYYYMM) of first submission (a draft: of its creation)
  accept     k1 "", k2 calendar days from the last submission to acceptance, flag 1 = by accept_due_on
  decide     k1 status, k2 calendar days from acceptance to the decision, flag 1 = by decision_due_on
  card       k1 the card's status as a reader sees it today, flag 1 = main card (主迁)
  objection  k1 objection status, flag 1 = settled by its due date
  rating     k2 the 好差评 score (1–5) the applicant gave
district_id and category_id are 0 where the application has none yet (drafts).

PostgreSQL keeps the rows in the materialised view `review_statistics_fact` (migration
review/0006), refreshed by beat (review.tasks.refresh_statistics) with REFRESH … CONCURRENTLY, so
the page reads a few thousand counted rows instead of aggregating a million applications. SQLite
(the embedded mode, no beat) runs the same SELECT as a subquery: live aggregates. It is not a
SQLite view on purpose: Django rebuilds a SQLite table to alter a column (drop, then rename the
copy), and SQLite refuses that rename while a view names the table.

A migration that changes the type of a column read here must drop the view first and create it
again afterwards (PostgreSQL refuses to alter a column a view uses): RunPython(drop_view) before
the AlterField, RunPython(create_view) after it.
"""

import datetime
import zoneinfo

from django.conf import settings

VIEW = "review_statistics_fact"
# The cache version a recount bumps (review.services.statistics_refresh): what the page keeps from
# one recount to the next (the years, core.cache.memoized_by_version) is keyed by it.
VERSION = "statistics"


def _sqlite_offset() -> str:
    # SQLite stores UTC; a day or a month is counted in the portal's time zone (Asia/Shanghai has
    # had no daylight saving since 1991, so one fixed offset is exact).
    offset = zoneinfo.ZoneInfo(settings.TIME_ZONE).utcoffset(datetime.datetime(2026, 1, 1))
    return f"{int(offset.total_seconds() // 60):+d} minutes"


def _dialect(vendor: str) -> dict:
    if vendor == "postgresql":
        tz = settings.TIME_ZONE.replace("'", "")

        def day(column: str) -> str:
            return f"CAST(({column} AT TIME ZONE '{tz}') AS date)"

        return {
            "day": day,
            "days": lambda start, end: f"({day(end)} - {day(start)})",
            "month": lambda column: f"CAST(to_char({column} AT TIME ZONE '{tz}', 'YYYYMM') AS integer)",
            "today": f"CAST((now() AT TIME ZONE '{tz}') AS date)",
            # The recount's own time, not its transaction's: the page's cache key changes with every recount.
            "now": "clock_timestamp()",
        }
    offset = _sqlite_offset()

    def day(column: str) -> str:
        return f"date({column}, '{offset}')"

    return {
        "day": day,
        "days": lambda start, end: f"CAST(julianday({day(end)}) - julianday({day(start)}) AS integer)",
        # %% : the reads pass parameters, and Django's SQLite cursor then turns %% into %.
        "month": lambda column: f"CAST(strftime('%%Y%%m', {column}, '{offset}') AS integer)",
        "today": f"date('now', '{offset}')",
        "now": "CURRENT_TIMESTAMP",
    }


def select_sql(vendor: str) -> str:
    d = _dialect(vendor)
    keys = (
        "CAST(a.year AS integer) AS year, COALESCE(a.district_id, 0) AS district_id, "
        "COALESCE(a.category_id, 0) AS category_id"
    )
    rows = f"""
        SELECT CAST('app' AS varchar(10)) AS kind, {keys}, CAST(a.status AS varchar(20)) AS k1,
               {d["month"]("COALESCE(a.submitted_at, a.created_at)")} AS k2, 0 AS flag
          FROM applications_application a
        UNION ALL
        SELECT CAST('accept' AS varchar(10)), {keys}, CAST('' AS varchar(20)),
               {d["days"]("a.last_submitted_at", "a.accepted_at")},
               CASE WHEN {d["day"]("a.accepted_at")} <= a.accept_due_on THEN 1 ELSE 0 END
          FROM applications_application a
         WHERE a.accepted_at IS NOT NULL AND a.last_submitted_at IS NOT NULL
           AND a.accepted_at >= a.last_submitted_at
        UNION ALL
        SELECT CAST('decide' AS varchar(10)), {keys}, CAST(a.status AS varchar(20)),
               {d["days"]("a.accepted_at", "a.decided_at")},
               CASE WHEN {d["day"]("a.decided_at")} <= a.decision_due_on THEN 1 ELSE 0 END
          FROM applications_application a
         WHERE a.decided_at IS NOT NULL AND a.accepted_at IS NOT NULL AND a.decided_at >= a.accepted_at
        UNION ALL
        SELECT CAST('card' AS varchar(10)), {keys},
               CAST(CASE WHEN c.status = 'valid' AND c.valid_until < {d["today"]} THEN 'expired'
                         ELSE c.status END AS varchar(20)),
               0, CASE WHEN c.move_type = '主迁' THEN 1 ELSE 0 END
          FROM hukou_card_hukoucard c JOIN applications_application a ON a.id = c.application_id
        UNION ALL
        SELECT CAST('objection' AS varchar(10)), {keys}, CAST(o.status AS varchar(20)), 0,
               CASE WHEN o.decided_at IS NOT NULL AND {d["day"]("o.decided_at")} <= o.due_on THEN 1 ELSE 0 END
          FROM review_objection o
          JOIN review_noticeentry e ON e.id = o.entry_id
          JOIN applications_application a ON a.id = e.application_id
        UNION ALL
        SELECT CAST('rating' AS varchar(10)), {keys}, CAST('' AS varchar(20)), r.score, 0
          FROM review_servicerating r JOIN applications_application a ON a.id = r.application_id
    """  # nosec B608  # noqa: S608 - fixed SQL of this module, no user input
    return f"""
        SELECT kind, year, district_id, category_id, k1, k2, flag, count(*) AS n, {d["now"]} AS refreshed_at
          FROM ({rows}) r
         GROUP BY kind, year, district_id, category_id, k1, k2, flag
    """  # nosec B608  # noqa: S608 - fixed SQL of this module, no user input


def source_sql(vendor: str) -> str:
    """What the page's reads select FROM: the materialised view, or the live SELECT on SQLite."""
    return VIEW if vendor == "postgresql" else f"({select_sql(vendor)}) AS facts"


def create_view(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite reads the SELECT live (source_sql)
    schema_editor.execute(f"CREATE MATERIALIZED VIEW {VIEW} AS {select_sql('postgresql')}")
    # REFRESH … CONCURRENTLY (readers are never blocked) needs a unique index over plain columns.
    schema_editor.execute(
        f"CREATE UNIQUE INDEX {VIEW}_cell ON {VIEW} (kind, year, district_id, category_id, k1, k2, flag)"
    )


def drop_view(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP MATERIALIZED VIEW IF EXISTS {VIEW}")
