"""The Postgres warehouse: migrations (``migrations/NNN_*.sql``) and the named SQL statements (``sql/*.sql``).

Example::

    >>> from warehouse import sql
    >>> sql("claim_sink_batch").startswith("-- Claim")
    True
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

WAREHOUSE_DIR = Path(__file__).resolve().parent
MIGRATIONS_DIR = WAREHOUSE_DIR / "migrations"
SQL_DIR = WAREHOUSE_DIR / "sql"
READER_ROLE = "upi_grafana"  # created by migrations/007_grafana_reader.sql; the dashboards connect as it


@cache
def sql(name: str) -> str:
    """The text of ``warehouse/sql/<name>.sql``."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")
