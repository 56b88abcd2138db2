"""Apply the warehouse migrations in order, once each, recording them in ``schema_migrations``.

Idempotent and safe to run concurrently (an advisory lock serialises runners); a migration whose file
changed after it was applied is reported rather than silently re-run.

Example::

    >>> from warehouse.migrate import migrate
    >>> applied = migrate("postgresql://upi:…@127.0.0.1:15432/upi")   # doctest: +SKIP
    >>> set_reader_password("postgresql://upi:…@127.0.0.1:15432/upi", "…")   # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
from contextlib import closing

import psycopg2

from warehouse import MIGRATIONS_DIR, sql

_LOCK_KEY = 0x5550_4931  # any constant shared by all runners


class MigrationError(RuntimeError):
    """The database's migration history does not match the files in ``warehouse/migrations``."""


def migrate(dsn: str) -> list[str]:
    """Apply the pending migrations; return the names of those applied now (empty when up to date)."""
    files = sorted(MIGRATIONS_DIR.glob("[0-9][0-9][0-9]_*.sql"))
    applied_now: list[str] = []
    with closing(psycopg2.connect(dsn)) as conn, conn, conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
        cur.execute(
            """CREATE TABLE IF NOT EXISTS schema_migrations (
                   name text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"""
        )
        cur.execute("SELECT name, checksum FROM schema_migrations")
        done = dict(cur.fetchall())
        for path in files:
            body = path.read_text(encoding="utf-8")
            checksum = hashlib.sha256(body.encode()).hexdigest()
            if path.name in done:
                if done[path.name] != checksum:
                    raise MigrationError(
                        f"{path.name} changed after it was applied; add a new migration instead of editing it"
                    )
                continue
            cur.execute(body)
            cur.execute(
                "INSERT INTO schema_migrations (name, checksum) VALUES (%s, %s)", (path.name, checksum)
            )
            applied_now.append(path.name)
    return applied_now


def set_reader_password(dsn: str, password: str) -> None:
    """Set the password of the read-only role the dashboards use (run as the warehouse's owner)."""
    with closing(psycopg2.connect(dsn)) as conn, conn, conn.cursor() as cur:
        cur.execute(sql("set_reader_password"), {"password": password})
