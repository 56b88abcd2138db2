"""Query time of every Grafana panel on a warehouse holding millions of transactions.

A fresh database gets ``transactions`` rows spread over the ``days`` days before now (SQL under
``benchmarks/sql/``: the generator's shapes, a micro-batch every 5 s in ``pipeline_metrics`` and the sink
ledger, 0.5 % quarantined, gold for every day), is analysed, then every panel runs as the read-only role
Grafana uses, three times (a dashboard refreshes, so the cache is warm after the first), in two ranges:
each dashboard's own default range, and the whole ``days`` (the worst zoom-out). The baseline, measured in
the same run, is a full scan counting the transactions table.

Run it with ``python -m benchmarks panels --transactions 5000000``.
"""

from __future__ import annotations

import statistics
import time
import uuid
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg2
from matplotlib.figure import Figure

from benchmarks.results import titled
from tests.integration.world import create_database
from upi.settings import Settings
from warehouse.dashboards import DASHBOARDS, Dashboard
from warehouse.panel_queries import grafana_interval, run_panel

SQL_DIR = Path(__file__).resolve().parent / "sql"
TRIGGER_SECONDS = 5  # one micro-batch of each query every 5 s in the filled pipeline tables
REPEATS = 3  # runs of each panel; the median is reported


@dataclass(frozen=True)
class PanelsBenchmark:
    """How many transactions, spread over how many days before now."""

    transactions: int = 5_000_000
    days: int = 7


def _fill(dsn: str, config: PanelsBenchmark, end: datetime) -> dict[str, float]:
    """Load the warehouse; return the seconds each step took."""
    params = {
        "rows": config.transactions,
        "days": config.days,
        "end": end,
        "trigger_seconds": TRIGGER_SECONDS,
    }
    seconds = {}
    with closing(psycopg2.connect(dsn)) as conn:
        for step in ("fill_clean_transactions", "fill_pipeline_tables", "fill_gold_tables"):
            started = time.perf_counter()
            with conn, conn.cursor() as cur:
                cur.execute("SELECT setseed(0.42)")
                cur.execute((SQL_DIR / f"{step}.sql").read_text(encoding="utf-8"), params)
            seconds[step] = time.perf_counter() - started
        conn.autocommit = True
        with conn.cursor() as cur:
            started = time.perf_counter()
            cur.execute("VACUUM ANALYZE")
            seconds["vacuum_analyze"] = time.perf_counter() - started
    return seconds


def _baseline_seconds(dsn: str) -> float:
    with closing(psycopg2.connect(dsn)) as conn, conn.cursor() as cur:
        times = []
        for _ in range(REPEATS):
            started = time.perf_counter()
            cur.execute("SELECT count(*) FROM clean_upi_transactions")
            cur.fetchone()
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def _time_dashboard(dsn: str, dashboard: Dashboard, start: datetime, end: datetime) -> list[dict[str, Any]]:
    interval = grafana_interval(start, end, dashboard.min_interval)
    timings = []
    with closing(psycopg2.connect(dsn)) as conn:
        conn.autocommit = True
        with conn.cursor() as cur:
            for panel in dashboard.panels:
                runs = [run_panel(cur, panel, start, end, interval) for _ in range(REPEATS)]
                timings.append({
                    "dashboard": dashboard.uid, "panel": panel.name, "title": panel.title,
                    "rows": len(runs[0].rows), "first_seconds": runs[0].seconds,
                    "median_seconds": statistics.median(r.seconds for r in runs),
                })  # fmt: skip
    return timings


def _plot(result: dict[str, Any]) -> Figure:
    figure = Figure(figsize=(11, 9), layout="constrained")
    ax = figure.add_subplot()
    names = [t["panel"] for t in result["default_range"]]
    default = [t["median_seconds"] * 1000 for t in result["default_range"]]
    whole = [t["median_seconds"] * 1000 for t in result["whole_range"]]
    positions = range(len(names))
    ax.barh([p + 0.2 for p in positions], default, height=0.4, label="dashboard's default range")
    ax.barh([p - 0.2 for p in positions], whole, height=0.4, label=f"all {result['days']} days")
    ax.axvline(
        result["baseline_seconds"] * 1000, color="grey", linestyle="--", label="baseline: count(*) full scan"
    )
    ax.set_yticks(list(positions), names, fontsize=7)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel("median query time, ms (log scale)")
    ax.legend(fontsize=8)
    return titled(figure, f"Grafana panels on {result['transactions']:,} transactions, as the read-only role")


def run_panels_benchmark(stack: Settings, config: PanelsBenchmark) -> tuple[dict[str, Any], Figure]:
    """Fill a fresh database, time every panel in both ranges; return the result and its plot."""
    dsn = create_database(stack.dsn, f"upi_bench_panels_{uuid.uuid4().hex[:8]}")
    settings = stack.model_copy(update={"postgres_dsn": type(stack.postgres_dsn)(dsn)})
    end = datetime.now(UTC)
    fill_seconds = _fill(dsn, config, end)
    baseline = _baseline_seconds(dsn)
    default_range_timings, whole_range_timings = [], []
    for dashboard in DASHBOARDS:
        start, stop = dashboard.default_range(end)
        default_range_timings += _time_dashboard(settings.grafana_dsn, dashboard, start, stop)
        whole_range_timings += _time_dashboard(
            settings.grafana_dsn, dashboard, end - timedelta(days=config.days), end
        )
    slowest = {
        name: max(timings, key=lambda t: t["median_seconds"])
        for name, timings in (("default_range", default_range_timings), ("whole_range", whole_range_timings))
    }
    result = {
        "transactions": config.transactions,
        "days": config.days,
        "repeats": REPEATS,
        "fill_seconds": fill_seconds,
        "baseline_seconds": baseline,
        "default_range": default_range_timings,
        "whole_range": whole_range_timings,
        "slowest": slowest,
        "ratios": {name: t["median_seconds"] / baseline for name, t in slowest.items()},
    }
    return result, _plot(result)
