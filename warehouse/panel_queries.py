"""Run the dashboards' panels outside Grafana: each panel's SQL with its macros expanded, as the read-only role.

Used by the dashboard tests, ``upi dashboards preview`` and the panel benchmark.

Example::

    >>> from datetime import UTC, datetime
    >>> results = run_dashboard(settings.grafana_dsn, DASHBOARDS[0],
    ...                         datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 2, tzinfo=UTC))  # doctest: +SKIP
    >>> results[0].columns                                                                            # doctest: +SKIP
    ('transactions', 'success_amount_inr', 'success_rate', 'pending')
"""

from __future__ import annotations

import time
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg2

from warehouse.dashboards import Dashboard, Panel
from warehouse.grafana_macros import expand, interval_seconds

# The interval Grafana would pick for a range: about 300 points (its default maxDataPoints is the panel's
# pixel width; 300 keeps the buckets of a one-hour range at Grafana's usual 10 s to 15 s).
_STEPS = ((10, "10s"), (30, "30s"), (60, "1m"), (300, "5m"), (900, "15m"), (3600, "1h"), (86400, "1d"))


@dataclass(frozen=True)
class PanelResult:
    panel: Panel
    sql: str  # as run: macros expanded
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    seconds: float


def grafana_interval(time_from: datetime, time_to: datetime, minimum: str) -> str:
    """The ``$__interval`` Grafana would use for the range, never below the dashboard's minimum."""
    wanted = max((time_to - time_from).total_seconds() / 300, interval_seconds(minimum))
    return next((name for seconds, name in _STEPS if seconds >= wanted), "1d")


def run_panel(
    cursor: Any, panel: Panel, time_from: datetime, time_to: datetime, interval: str
) -> PanelResult:
    """Run one panel's query on ``cursor``; time it."""
    query = expand(panel.sql, time_from, time_to, interval)
    started = time.perf_counter()
    cursor.execute(query)
    rows = cursor.fetchall()
    seconds = time.perf_counter() - started
    return PanelResult(panel, query, tuple(col.name for col in cursor.description), rows, seconds)


def run_dashboard(
    dsn: str, dashboard: Dashboard, time_from: datetime, time_to: datetime
) -> list[PanelResult]:
    """Every panel of ``dashboard`` over the range, on one connection of ``dsn`` (the read-only role's)."""
    interval = grafana_interval(time_from, time_to, dashboard.min_interval)
    with closing(psycopg2.connect(dsn)) as conn:
        conn.autocommit = True  # each panel is its own statement, as in Grafana
        with conn.cursor() as cursor:
            return [run_panel(cursor, panel, time_from, time_to, interval) for panel in dashboard.panels]
