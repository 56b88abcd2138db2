"""The Grafana dashboards as code: each panel is a SQL file under ``warehouse/panels/`` plus a line here.

``upi dashboards build`` writes ``docker/grafana/dashboards/<uid>.json`` from these specs; a test checks the
committed files are what the specs build, and another runs every panel's SQL on a populated warehouse as the
read-only role Grafana uses.

Example::

    >>> [d.uid for d in DASHBOARDS]
    ['upi-live', 'upi-pipeline', 'upi-daily']
    >>> dashboard_json(DASHBOARDS[0])["panels"][0]["datasource"]["uid"]
    'upi-postgres'
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from warehouse import WAREHOUSE_DIR

PANELS_DIR = WAREHOUSE_DIR / "panels"
DASHBOARDS_DIR = WAREHOUSE_DIR.parent / "docker" / "grafana" / "dashboards"
DATASOURCE = {"type": "grafana-postgresql-datasource", "uid": "upi-postgres"}
_SPAN_UNITS = {"m": "minutes", "h": "hours", "d": "days"}

Kind = Literal["timeseries", "table", "piechart", "barchart", "stat"]


@dataclass(frozen=True)
class Panel:
    """One panel: its SQL file ``warehouse/panels/<name>.sql`` and the columns that SQL must return."""

    name: str
    title: str
    kind: Kind
    columns: tuple[str, ...]
    unit: str = "short"
    width: int = 12
    height: int = 8
    right_axis: tuple[str, ...] = ()  # time-series columns drawn against a second y axis
    right_unit: str = "short"

    @property
    def format(self) -> str:
        """Grafana's result format: time series need a ``time`` column, everything else is a table."""
        return "time_series" if self.kind == "timeseries" else "table"

    @property
    def sql(self) -> str:
        """The panel's SQL, with its Grafana macros; the leading comment becomes the panel's description."""
        return (PANELS_DIR / f"{self.name}.sql").read_text(encoding="utf-8").strip()

    @property
    def description(self) -> str:
        first = self.sql.splitlines()[0]
        return first.removeprefix("--").strip() if first.startswith("--") else ""


@dataclass(frozen=True)
class Dashboard:
    uid: str
    title: str
    time_from: str  # Grafana's default range, e.g. "now-1h"
    refresh: str
    panels: tuple[Panel, ...]
    min_interval: str = "10s"

    def default_range(self, end: datetime) -> tuple[datetime, datetime]:
        """The dashboard's own default range (``now-1h``, ``now-30d``) ending at ``end``."""
        amount, unit = int(self.time_from[4:-1]), self.time_from[-1]
        return end - timedelta(**{_SPAN_UNITS[unit]: amount}), end


_RATE = "reqps"
_INR = "currencyINR"
_SHARE = "percentunit"

DASHBOARDS: tuple[Dashboard, ...] = (
    Dashboard("upi-live", "UPI live operations", "now-1h", "10s", panels=(
        Panel("live_totals", "In range", "stat",
              ("transactions", "success_amount_inr", "success_rate", "pending"), width=24, height=4),
        Panel("live_transactions_per_second", "Transactions / s", "timeseries",
              ("time", "transactions_per_second"), _RATE),
        Panel("live_amount_per_second", "Successful ₹ / s", "timeseries",
              ("time", "success_inr_per_second"), _INR),
        Panel("live_success_rate", "Success and failure rate", "timeseries",
              ("time", "success_rate", "failure_rate"), _SHARE),
        Panel("live_failure_rate_by_response_code", "Failure rate by NPCI response code", "timeseries",
              ("time", "metric", "failure_rate"), _SHARE),
        Panel("live_failures_by_response_code", "Failures by NPCI response code", "table",
              ("response_code", "failures", "share_of_failures", "failure_rate")),
        Panel("live_top_merchants", "Top merchants by successful ₹", "table",
              ("merchant_id", "mcc", "transactions", "success_amount_inr", "success_rate")),
        Panel("live_psp_share", "Payer PSP share", "piechart", ("payer_psp", "transactions"), width=8),
        Panel("live_bank_share", "Payer bank share", "piechart", ("payer_bank", "transactions"), width=8),
        Panel("live_p2p_vs_p2m", "P2P vs P2M / s", "timeseries",
              ("time", "metric", "transactions_per_second"), _RATE, width=8),
    )),
    Dashboard("upi-pipeline", "UPI pipeline health", "now-1h", "10s", panels=(
        Panel("pipeline_freshness", "Freshness: event time → Postgres", "timeseries",
              ("time", "p50_seconds", "p95_seconds", "p99_seconds"), "s"),
        Panel("pipeline_kafka_lag", "Kafka lag (records) by query", "timeseries",
              ("time", "metric", "kafka_lag_records")),
        Panel("pipeline_throughput", "Rows / s by query", "timeseries",
              ("time", "metric", "rows_per_second"), _RATE),
        Panel("pipeline_batch_duration", "Slowest micro-batch by query", "timeseries",
              ("time", "metric", "duration_ms"), "ms"),
        Panel("pipeline_dedup", "Dedup state and drops", "timeseries",
              ("time", "state_keys", "duplicates_dropped", "late_rows_dropped"),
              right_axis=("duplicates_dropped", "late_rows_dropped")),
        Panel("pipeline_sink_writes", "Postgres sink", "timeseries",
              ("time", "rows_upserted_per_second", "slowest_write_ms"), _RATE,
              right_axis=("slowest_write_ms",), right_unit="ms"),
        Panel("pipeline_quarantine_by_reason", "Quarantine by reason", "table",
              ("reason", "events", "first_seen", "last_seen")),
        Panel("pipeline_quarantine_over_time", "Quarantined records", "timeseries",
              ("time", "metric", "events")),
    )),
    Dashboard("upi-daily", "UPI daily business and data quality", "now-30d", "5m", min_interval="1d", panels=(
        Panel("daily_transactions", "Transactions and success rate per IST day", "timeseries",
              ("time", "transactions", "successful", "failed", "success_rate"),
              right_axis=("success_rate",), right_unit=_SHARE),
        Panel("daily_amounts", "Successful ₹ per IST day, P2P and P2M", "timeseries",
              ("time", "metric", "success_amount_inr"), _INR),
        Panel("daily_hour_profile", "Transactions by IST hour", "barchart",
              ("hour_ist", "transactions")),
        Panel("daily_top_merchants", "Top merchants (gold)", "table",
              ("merchant_id", "mcc", "transactions", "success_amount_inr", "success_rate")),
        Panel("daily_psp_bank", "PSP × bank (gold)", "table",
              ("payer_psp", "payer_bank", "transactions", "share", "success_rate")),
        Panel("daily_txn_type", "P2P vs P2M (gold)", "piechart",
              ("txn_type", "transactions", "success_amount_inr"), width=8),
        Panel("daily_quality_results", "Data-quality results", "table",
              ("validated_at", "event_date", "suite", "success", "evaluated", "failed", "failures"),
              width=16),
        Panel("daily_late_days", "Days with late events", "table",
              ("event_date", "late_rows", "last_seen", "recomputed_at", "gold_up_to_date"), width=24),
    )),
)  # fmt: skip


def _options(kind: Kind) -> dict[str, Any]:
    if kind == "timeseries":
        return {"legend": {"displayMode": "list", "placement": "bottom"}, "tooltip": {"mode": "multi"}}
    if kind == "piechart":
        return {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": True},
                "pieType": "donut", "legend": {"displayMode": "table", "placement": "right",
                                               "values": ["percent"]}}  # fmt: skip
    if kind == "stat":
        return {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                "colorMode": "value", "graphMode": "none"}  # fmt: skip
    if kind == "barchart":
        return {"xField": "hour_ist", "legend": {"displayMode": "hidden"}}
    return {"showHeader": True, "cellHeight": "sm"}


def _grid(panels: tuple[Panel, ...]) -> list[dict[str, int]]:
    """Left to right, wrapping at Grafana's 24 columns."""
    positions, x, y, row_height = [], 0, 0, 0
    for panel in panels:
        if x + panel.width > 24:
            x, y, row_height = 0, y + row_height, 0
        positions.append({"x": x, "y": y, "w": panel.width, "h": panel.height})
        x, row_height = x + panel.width, max(row_height, panel.height)
    return positions


def _right_axis(column: str, unit: str) -> dict[str, Any]:
    properties = [{"id": "custom.axisPlacement", "value": "right"}, {"id": "unit", "value": unit}]
    return {"matcher": {"id": "byName", "options": column}, "properties": properties}


def panel_json(panel: Panel, panel_id: int, grid: dict[str, int]) -> dict[str, Any]:
    """One panel in Grafana's dashboard JSON model."""
    return {
        "id": panel_id,
        "type": panel.kind,
        "title": panel.title,
        "description": panel.description,
        "gridPos": grid,
        "datasource": DATASOURCE,
        "targets": [{
            "refId": "A",
            "datasource": DATASOURCE,
            "editorMode": "code",
            "rawQuery": True,
            "format": panel.format,
            "rawSql": panel.sql,
        }],
        "fieldConfig": {"defaults": {"unit": panel.unit}, "overrides": [_right_axis(column, panel.right_unit)
                                                                         for column in panel.right_axis]},
        "options": _options(panel.kind),
    }  # fmt: skip


def dashboard_json(dashboard: Dashboard) -> dict[str, Any]:
    """The dashboard in Grafana's JSON model, ready for file provisioning."""
    grids = _grid(dashboard.panels)
    return {
        "uid": dashboard.uid,
        "title": dashboard.title,
        "tags": ["upi"],
        "timezone": "browser",
        "editable": False,
        "schemaVersion": 39,
        "version": 1,
        "refresh": dashboard.refresh,
        "time": {"from": dashboard.time_from, "to": "now"},
        "templating": {"list": []},
        "annotations": {"list": []},
        "panels": [
            {**panel_json(panel, number, grid), "interval": dashboard.min_interval}
            for number, (panel, grid) in enumerate(zip(dashboard.panels, grids, strict=True), start=1)
        ],
    }


def dashboard_text(dashboard: Dashboard) -> str:
    """The file content of a dashboard: stable key order, so a rebuild changes nothing when nothing changed."""
    return json.dumps(dashboard_json(dashboard), indent=2, ensure_ascii=False) + "\n"


def write_dashboards(directory: Path = DASHBOARDS_DIR) -> list[Path]:
    """Write every dashboard's JSON into ``directory``; return the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for dashboard in DASHBOARDS:
        path = directory / f"{dashboard.uid}.json"
        path.write_text(dashboard_text(dashboard), encoding="utf-8")
        paths.append(path)
    return paths
