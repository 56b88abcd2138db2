"""Every Grafana panel's SQL, macros expanded for a real time range, run against a warehouse populated by the
real pipeline (Kafka -> stream -> Postgres, then gold) as the read-only role Grafana connects as."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import psycopg2
import psycopg2.errors
import pytest
from pydantic import SecretStr

from generator.events import EventFactory, TrafficMix
from generator.profiles import IST
from tests.integration.expected import postgres
from tests.integration.world import World, streamed_world
from upi.settings import Settings
from warehouse.dashboards import DASHBOARDS, Panel
from warehouse.panel_queries import PanelResult, run_dashboard

pytestmark = pytest.mark.integration

RECORDS = 4_000
PANELS = [panel for dashboard in DASHBOARDS for panel in dashboard.panels]
WRITES = {
    "insert": "INSERT INTO late_event_days (event_date, late_rows) VALUES ('2026-01-01', 1)",
    "update": "UPDATE clean_upi_transactions SET amount = 1",
    "delete": "DELETE FROM sink_batches",
    "truncate": "TRUNCATE pipeline_metrics",
    "create": "CREATE TABLE grafana_scratch (id integer)",
    "drop": "DROP TABLE dq_results",
}


@pytest.fixture(scope="module")
def world(stack: Settings, tmp_path_factory: pytest.TempPathFactory) -> World:
    """The two whole IST days before today (redeliveries, invalid and pending events), streamed, then gold
    built for both (all of it arrived late, so `upi gold --late-days` builds them)."""
    start = datetime.combine(datetime.now(IST).date() - timedelta(days=2), time(), tzinfo=IST)
    factory = EventFactory(
        23, start, TrafficMix(duplicate_rate=0.03, invalid_rate=0.02, pending_rate=0.05),
        events_per_second=RECORDS / (2 * 86_400), payers=300, merchants=40,
    )  # fmt: skip
    world = streamed_world(stack, tmp_path_factory.mktemp("dashboards"), factory.records(RECORDS), RECORDS)
    world.upi("gold", "--late-days")
    return world


@pytest.fixture(scope="module")
def results(world: World) -> dict[str, PanelResult]:
    """Every panel over the last four days, as Grafana would run it."""
    end = datetime.now(UTC) + timedelta(minutes=10)
    return {
        result.panel.name: result
        for dashboard in DASHBOARDS
        for result in run_dashboard(world.settings.grafana_dsn, dashboard, end - timedelta(days=4), end)
    }


@pytest.fixture
def reader(world: World) -> Iterator[psycopg2.extensions.connection]:
    """A session as Grafana's role; autocommit, so each test opens its own transactions explicitly."""
    with closing(psycopg2.connect(world.settings.grafana_dsn)) as conn:
        conn.autocommit = True
        yield conn


@pytest.mark.parametrize("panel", PANELS, ids=lambda p: p.name)
def test_the_panel_returns_the_columns_it_declares(results: dict[str, PanelResult], panel: Panel) -> None:
    assert results[panel.name].columns == panel.columns


@pytest.mark.parametrize("panel", PANELS, ids=lambda p: p.name)
def test_the_panel_shows_the_populated_warehouse(results: dict[str, PanelResult], panel: Panel) -> None:
    assert results[panel.name].rows, results[panel.name].sql


@pytest.mark.parametrize("panel", [p for p in PANELS if p.kind == "timeseries"], ids=lambda p: p.name)
def test_a_time_series_comes_sorted_by_time(results: dict[str, PanelResult], panel: Panel) -> None:
    times = [row[0] for row in results[panel.name].rows]
    assert times == sorted(times)


def test_the_totals_panel_counts_every_transaction_and_rupee(
    world: World, results: dict[str, PanelResult]
) -> None:
    ((transactions, success_amount, _, pending),) = results["live_totals"].rows
    assert (transactions, success_amount, pending) == postgres(
        world.settings,
        "SELECT count(*), sum(amount) FILTER (WHERE status = 'SUCCESS'), count(*) FILTER (WHERE status = 'PENDING')"
        " FROM clean_upi_transactions",
    )[0]


def test_the_daily_panels_show_what_gold_published(world: World, results: dict[str, PanelResult]) -> None:
    shown = [(row[1], row[2]) for row in results["daily_transactions"].rows]
    assert shown == postgres(
        world.settings, "SELECT txn_count, success_count FROM gold_daily_summary ORDER BY event_date"
    )
    assert len(shown) >= 2


def test_the_quarantine_panel_shows_every_rejected_record(
    world: World, results: dict[str, PanelResult]
) -> None:
    shown = sum(row[1] for row in results["pipeline_quarantine_by_reason"].rows)
    assert shown == postgres(world.settings, "SELECT count(*) FROM quarantine_upi_events")[0][0]


@pytest.mark.parametrize("statement", WRITES.values(), ids=WRITES.keys())
def test_the_read_only_role_cannot_write_even_in_a_read_write_transaction(
    reader: psycopg2.extensions.connection, statement: str
) -> None:
    with reader.cursor() as cursor:
        cursor.execute("BEGIN READ WRITE")
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            cursor.execute(statement)
        cursor.execute("ROLLBACK")


def test_the_read_only_roles_sessions_are_read_only(reader: psycopg2.extensions.connection) -> None:
    with reader.cursor() as cursor, pytest.raises(psycopg2.errors.ReadOnlySqlTransaction):
        cursor.execute(WRITES["insert"])


def test_the_read_only_role_needs_its_password(world: World) -> None:
    wrong = world.settings.model_copy(update={"grafana_db_password": SecretStr("not-the-password")})
    with pytest.raises(psycopg2.OperationalError, match="password authentication failed"):
        psycopg2.connect(wrong.grafana_dsn).close()


def test_the_preview_draws_one_png_per_dashboard(world: World, tmp_path: Path) -> None:
    from upi.dashboard_preview import write_previews

    paths = write_previews(world.settings, tmp_path, datetime.now(UTC) + timedelta(minutes=10))
    assert [p.name for p in paths] == [f"{d.uid}.png" for d in DASHBOARDS]
    assert all(p.read_bytes().startswith(b"\x89PNG") and p.stat().st_size > 20_000 for p in paths)
