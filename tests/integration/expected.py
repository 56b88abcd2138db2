"""What the warehouse must hold after a run, computed from what the generator says it sent."""

from __future__ import annotations

from contextlib import closing
from typing import Any

import psycopg2

from generator.events import Kind, Record
from upi.contract import TERMINAL_STATUSES
from upi.settings import Settings


def postgres(settings: Settings, query: str, params: tuple[Any, ...] | None = None) -> list[tuple[Any, ...]]:
    """Rows of ``query`` (with ``params`` for its ``%s``) against the world's database."""
    with closing(psycopg2.connect(settings.dsn)) as conn, conn.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchall()


def final_states(sent: list[Record]) -> dict[str, str]:
    """txn_id → the status Postgres must end with: the first terminal status, else PENDING."""
    final: dict[str, str] = {}
    for record in sent:
        txn_id, status = record.txn_id, record.status
        if record.kind not in (Kind.NEW, Kind.LATE, Kind.TRANSITION) or txn_id is None or status is None:
            continue
        if final.get(txn_id) not in TERMINAL_STATUSES:
            final[txn_id] = status
    return final
