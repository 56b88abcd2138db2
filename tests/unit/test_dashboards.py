"""The Grafana dashboards as code: the committed JSON is what the specs build, and every panel is wired to the
provisioned datasource with SQL that Grafana can run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from warehouse.dashboards import (
    DASHBOARDS,
    DASHBOARDS_DIR,
    DATASOURCE,
    PANELS_DIR,
    Dashboard,
    Panel,
    dashboard_text,
)

PANELS = [panel for dashboard in DASHBOARDS for panel in dashboard.panels]


def panel_id(panel: Panel) -> str:
    return panel.name


@pytest.mark.parametrize("dashboard", DASHBOARDS, ids=lambda d: d.uid)
def test_the_committed_dashboard_is_what_its_spec_builds(dashboard: Dashboard) -> None:
    committed = (DASHBOARDS_DIR / f"{dashboard.uid}.json").read_text(encoding="utf-8")
    assert committed == dashboard_text(dashboard), "run `upi dashboards build` and commit the result"


def test_every_dashboard_file_is_valid_json_with_a_unique_uid() -> None:
    files = sorted(DASHBOARDS_DIR.glob("*.json"))
    uids = [json.loads(path.read_text(encoding="utf-8"))["uid"] for path in files]
    assert sorted(uids) == sorted(d.uid for d in DASHBOARDS)


def test_every_panel_and_query_names_the_provisioned_datasource() -> None:
    for path in DASHBOARDS_DIR.glob("*.json"):
        for panel in json.loads(path.read_text(encoding="utf-8"))["panels"]:
            assert panel["datasource"] == DATASOURCE, panel["title"]
            assert all(target["datasource"] == DATASOURCE for target in panel["targets"]), panel["title"]


def test_every_panel_sql_file_belongs_to_a_panel() -> None:
    assert sorted(p.stem for p in PANELS_DIR.glob("*.sql")) == sorted(panel.name for panel in PANELS)


@pytest.mark.parametrize("panel", PANELS, ids=panel_id)
def test_a_time_series_panel_returns_time_first(panel: Panel) -> None:
    if panel.kind == "timeseries":
        assert panel.format == "time_series"
        assert panel.columns[0] == "time"
    else:
        assert panel.format == "table"


@pytest.mark.parametrize("panel", PANELS, ids=panel_id)
def test_a_panel_filters_on_the_dashboard_time_range(panel: Panel) -> None:
    assert "$__timeFilter(" in panel.sql or "$__timeFrom()" in panel.sql


@pytest.mark.parametrize("panel", PANELS, ids=panel_id)
def test_a_panel_explains_itself_in_a_leading_comment(panel: Panel) -> None:
    assert len(panel.description) > 20


@pytest.mark.parametrize("path", sorted(DASHBOARDS_DIR.glob("*.json")), ids=lambda p: p.stem)
def test_panels_fit_the_grid_without_overlapping(path: Path) -> None:
    cells: set[tuple[int, int]] = set()
    for panel in json.loads(path.read_text(encoding="utf-8"))["panels"]:
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24
        columns, rows = range(grid["x"], grid["x"] + grid["w"]), range(grid["y"], grid["y"] + grid["h"])
        area = {(x, y) for x in columns for y in rows}
        assert not cells & area, panel["title"]
        cells |= area
