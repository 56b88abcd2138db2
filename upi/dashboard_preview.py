"""A preview of the Grafana dashboards without Grafana: each panel's query result drawn with matplotlib.

``upi dashboards preview`` writes one PNG per dashboard (``docs/dashboards/<uid>.png``), so a reviewer sees the
data the panels will show. Time series become lines (one per value column, or one per ``metric``), pie charts
pies, bar charts bars, stats and tables text.

Example::

    >>> paths = write_previews(settings, Path("docs/dashboards"), datetime.now(UTC))   # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from upi.settings import Settings
from warehouse.dashboards import DASHBOARDS, Dashboard
from warehouse.panel_queries import PanelResult, run_dashboard

_TABLE_ROWS = 8


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float | Decimal) else math.nan


def _as_time(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromtimestamp(float(value), UTC)


def _timeseries(ax: Axes, result: PanelResult) -> None:
    columns = list(result.columns)
    series: dict[str, list[tuple[datetime, float]]] = defaultdict(list)
    for row in result.rows:
        moment = _as_time(row[0])
        if "metric" in columns:
            value_column = next(i for i, c in enumerate(columns) if c not in ("time", "metric"))
            series[str(row[columns.index("metric")])].append((moment, _number(row[value_column])))
        else:
            for index, name in enumerate(columns[1:], start=1):
                series[name].append((moment, _number(row[index])))
    right = ax.twinx() if result.panel.right_axis else None
    for name, points in series.items():
        moments = [_matplotlib_date(p[0]) for p in points]
        target = right if right is not None and name in result.panel.right_axis else ax
        style = "--" if target is right else "-"
        target.plot(moments, [p[1] for p in points], style, label=name, marker="." if len(points) < 3 else "")
    if series:
        ax.xaxis_date()
        handles = [h for axis in (ax, right) if axis is not None for h in axis.get_legend_handles_labels()[0]]
        ax.legend(handles=handles, fontsize=6, loc="best")
    ax.tick_params(axis="x", labelsize=6, rotation=30)
    ax.tick_params(axis="y", labelsize=7)


def _pie(ax: Axes, result: PanelResult) -> None:
    labels = [str(row[0]) for row in result.rows]
    values = [_number(row[1]) for row in result.rows]
    if values:
        ax.pie(values, labels=labels, autopct="%1.0f%%", textprops={"fontsize": 6})


def _bars(ax: Axes, result: PanelResult) -> None:
    ax.bar([str(row[0]) for row in result.rows], [_number(row[1]) for row in result.rows])
    ax.tick_params(axis="x", labelsize=6, rotation=90)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, datetime):
        return value.strftime("%m-%d %H:%M:%S")
    text = str(value)
    return text if len(text) <= 28 else text[:27] + "…"


def _table(ax: Axes, result: PanelResult) -> None:
    ax.axis("off")
    if not result.rows:
        return
    table = ax.table(
        cellText=[[_cell(v) for v in row] for row in result.rows[:_TABLE_ROWS]],
        colLabels=list(result.columns), loc="upper center", cellLoc="left",
    )  # fmt: skip
    table.auto_set_font_size(False)
    table.set_fontsize(6)
    table.scale(1, 1.1)


_DRAW = {"timeseries": _timeseries, "piechart": _pie, "barchart": _bars}


def _matplotlib_date(moment: datetime) -> float:
    """Days since 1970-01-01 UTC: matplotlib's date axis unit."""
    return moment.timestamp() / 86_400


def draw_dashboard(
    dashboard: Dashboard, results: list[PanelResult], time_range: tuple[datetime, datetime]
) -> Figure:
    """One figure with a cell per panel, titled with the panel's title, row count and query time; time series
    span the dashboard's range, as in Grafana."""
    start, stop = time_range
    span = f"{start:%Y-%m-%d %H:%M} → {stop:%Y-%m-%d %H:%M} UTC"
    columns = 3
    rows = math.ceil(len(results) / columns)
    figure = Figure(figsize=(18, 3.6 * rows), layout="constrained")
    figure.suptitle(f"{dashboard.title} — {span} (preview of the panels' query results)")
    for index, result in enumerate(results, start=1):
        ax = figure.add_subplot(rows, columns, index)
        ax.set_title(
            f"{result.panel.title}\n{len(result.rows)} rows, {result.seconds * 1000:.0f} ms", fontsize=8
        )
        _DRAW.get(result.panel.kind, _table)(ax, result)
        if result.panel.kind == "timeseries":
            ax.set_xlim(_matplotlib_date(start), _matplotlib_date(stop))
        if not result.rows:
            ax.text(0.5, 0.5, "no data", ha="center", va="center", transform=ax.transAxes, color="grey")
    return figure


def write_previews(settings: Settings, directory: Path, end: datetime) -> list[Path]:
    """Run every dashboard over its default range ending at ``end`` and write ``<uid>.png`` into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for dashboard in DASHBOARDS:
        start, stop = dashboard.default_range(end)
        results = run_dashboard(settings.grafana_dsn, dashboard, start, stop)
        path = directory / f"{dashboard.uid}.png"
        draw_dashboard(dashboard, results, (start, stop)).savefig(path, dpi=90)
        paths.append(path)
    return paths
