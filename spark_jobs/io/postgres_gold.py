"""The gold job's Postgres side: replace a day of gold in one transaction, record data-quality verdicts,
and read what bounds or schedules a day (previous days' counts, days with late events).

Example::

    >>> replace_gold_day(dsn, date(2026, 11, 25), {"gold_daily_summary": arrow_table})   # doctest: +SKIP
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import asdict
from datetime import date

import pyarrow as pa
from psycopg2 import sql as pgsql
from psycopg2.extensions import cursor as Cursor

from spark_jobs.io.postgres_connections import run_in_transaction
from spark_jobs.io.postgres_sink import copy_csv, csv_of
from spark_jobs.quality import SuiteOutcome
from warehouse import sql


def replace_gold_day(dsn: str, day: date, tables: dict[str, pa.Table]) -> None:
    """Delete ``day`` from each gold table and COPY its new rows, all in one transaction; mark the day's late
    events as recomputed. Readers see the old day or the new one, never a mix."""

    def transaction(cur: Cursor) -> None:
        for name, table in tables.items():
            cur.execute(pgsql.SQL(sql("delete_gold_day")).format(table=pgsql.Identifier(name)), {"day": day})
            copy_csv(cur, name, table.column_names, csv_of(table))
        cur.execute(sql("mark_late_day_recomputed"), {"day": day})

    run_in_transaction(dsn, transaction, what=f"gold of {day}")


def record_quality(dsn: str, run_id: uuid.UUID, day: date, outcomes: Iterable[SuiteOutcome]) -> None:
    """One ``dq_results`` row per suite outcome of a gold run."""

    def transaction(cur: Cursor) -> None:
        for outcome in outcomes:
            row = asdict(outcome)
            row.pop("seconds")
            row |= {"run_id": str(run_id), "event_date": day, "failures": json.dumps(outcome.failures)}
            cur.execute(sql("insert_dq_result"), row)

    run_in_transaction(dsn, transaction, what=f"data-quality results of {day}")


def previous_day_counts(dsn: str, day: date, days: int) -> list[int]:
    """Transactions per day of the gold days in the ``days`` before ``day``."""

    def read(cur: Cursor) -> list[int]:
        cur.execute(sql("gold_previous_day_counts"), {"day": day, "days": days})
        return [int(n) for (n,) in cur.fetchall()]

    return run_in_transaction(dsn, read, what=f"gold history before {day}")


def late_days_to_recompute(dsn: str) -> list[date]:
    """Days that received late events since their gold was last published, oldest first."""

    def read(cur: Cursor) -> list[date]:
        cur.execute(sql("late_days_to_recompute"))
        return [d for (d,) in cur.fetchall()]

    return run_in_transaction(dsn, read, what="late-event days")
