"""The gold job on the real stack: three IST days of generated traffic streamed through Kafka, silver and
Postgres, then built, gated and published; checked against plain SQL over Postgres to the paisa."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from pyspark.sql import SparkSession

from generator.events import EventFactory, Kind, Record, TrafficMix
from generator.producer import send_to_kafka
from generator.profiles import IST
from spark_jobs.gold import GoldNotPublishedError, GoldRun, day_transactions, run_gold
from spark_jobs.io.postgres_gold import late_days_to_recompute
from spark_jobs.transforms.gold import BREAKDOWNS
from tests.builders import encode, good_event
from tests.integration.expected import postgres
from tests.integration.world import World, streamed_world
from upi.airflow_local import airflow_env, prepare_home, run_airflow
from upi.settings import Settings

pytestmark = pytest.mark.integration

RECORDS = 6_000

INDEPENDENT_DAILY_FIGURES = """
SELECT event_date, count(*), count(*) FILTER (WHERE status = 'SUCCESS'),
       count(*) FILTER (WHERE status = 'FAILED'), count(*) FILTER (WHERE status = 'PENDING'),
       coalesce(sum(amount) FILTER (WHERE status = 'SUCCESS'), 0), sum(amount),
       round(avg(amount) FILTER (WHERE status = 'SUCCESS'), 2),
       percentile_disc(0.5) WITHIN GROUP (ORDER BY amount) FILTER (WHERE status = 'SUCCESS'),
       percentile_disc(0.95) WITHIN GROUP (ORDER BY amount) FILTER (WHERE status = 'SUCCESS'),
       count(DISTINCT payer_vpa), count(DISTINCT payee_vpa)
FROM clean_upi_transactions GROUP BY event_date ORDER BY event_date
"""
GOLD_DAILY_FIGURES = """
SELECT event_date, txn_count, success_count, failed_count, pending_count, success_amount, total_amount,
       avg_success_amount, p50_success_amount, p95_success_amount, distinct_payers, distinct_payees
FROM gold_daily_summary ORDER BY event_date
"""


def _ist_midnight_days_ago(days: int) -> datetime:
    return datetime.combine(datetime.now(IST).date() - timedelta(days=days), time(), tzinfo=IST)


@pytest.fixture(scope="module")
def world(stack: Settings, tmp_path_factory: pytest.TempPathFactory) -> World:
    """Three whole IST days, four and more days ago, streamed to silver and Postgres (so all of it is late)."""
    start = _ist_midnight_days_ago(4)
    factory = EventFactory(19, start, TrafficMix(duplicate_rate=0.03, invalid_rate=0.01, pending_rate=0.05),
                           events_per_second=RECORDS / (3 * 86_400), payers=300, merchants=40)  # fmt: skip
    return streamed_world(stack, tmp_path_factory.mktemp("gold"), factory.records(RECORDS), RECORDS)


@pytest.fixture(scope="module")
def settings(world: World) -> Settings:
    return world.settings.model_copy(update={"quality_dir": Path(world.env["UPI_QUALITY_DIR"])})


@pytest.fixture(scope="module")
def days(world: World) -> list[date]:
    return [
        d
        for (d,) in postgres(
            world.settings, "SELECT DISTINCT event_date FROM clean_upi_transactions ORDER BY 1"
        )
    ]


@pytest.fixture(scope="module")
def late_days_before_gold(settings: Settings) -> list[date]:
    return late_days_to_recompute(settings.dsn)


@pytest.fixture(scope="module")
def backfill(
    spark: SparkSession, settings: Settings, days: list[date], late_days_before_gold: list[date]
) -> list[GoldRun]:
    return [run_gold(spark, settings, day) for day in days]


@pytest.fixture(scope="module")
def backfilled(backfill: list[GoldRun]) -> list[date]:
    return [run.day for run in backfill]


def gold_rows(settings: Settings, day: date) -> dict[str, list[tuple[Any, ...]]]:
    return {
        name: postgres(settings, f"SELECT * FROM {name} WHERE event_date = '{day}' ORDER BY 1, 2, 3")
        for name in BREAKDOWNS
    }


def test_the_traffic_covers_three_ist_days(days: list[date]) -> None:
    assert len(days) == 3


def test_a_days_states_are_shuffled_once_into_the_configured_partitions(
    spark: SparkSession, settings: Settings, days: list[date], capsys: pytest.CaptureFixture[str]
) -> None:
    day_transactions(spark, settings.model_copy(update={"gold_day_partitions": 7}), days[0]).explain()
    exchanges = re.findall(r"Exchange (\w+)\((\w+)#\d+, (\d+)\)", capsys.readouterr().out)
    assert exchanges == [("hashpartitioning", "txn_id", "7")]


def test_a_backfill_of_three_days_publishes_three_days(
    spark: SparkSession, settings: Settings, backfilled: list[date]
) -> None:
    assert [
        d for (d,) in postgres(settings, "SELECT event_date FROM gold_daily_summary ORDER BY 1")
    ] == backfilled
    lake = spark.read.format("delta").load(settings.table_uri("gold_daily_summary"))
    assert sorted(r.event_date for r in lake.collect()) == backfilled


def test_a_published_run_times_each_step_from_the_final_states_to_postgres(backfill: list[GoldRun]) -> None:
    run = backfill[0]
    assert list(run.steps) == [
        "final states", "Great Expectations context", "silver_day suite", "outcome cube", *BREAKDOWNS,
        "gold_day suite", "publish to Delta", "publish to Postgres",
    ]  # fmt: skip
    assert all(seconds > 0 for seconds in run.steps.values())
    assert sum(run.steps.values()) <= run.seconds


def test_gold_matches_plain_sql_over_postgres_to_the_paisa(
    settings: Settings, backfilled: list[date]
) -> None:
    assert postgres(settings, GOLD_DAILY_FIGURES) == postgres(settings, INDEPENDENT_DAILY_FIGURES)


def test_every_suite_verdict_is_recorded(settings: Settings, backfilled: list[date]) -> None:
    verdicts = postgres(settings, "SELECT event_date, suite, success FROM dq_results ORDER BY 1, 2")
    assert verdicts == [(d, s, True) for d in backfilled for s in ("gold_day", "silver_day")]


def test_a_rerun_leaves_identical_gold(
    spark: SparkSession, settings: Settings, backfilled: list[date]
) -> None:
    day = backfilled[1]
    before = (
        gold_rows(settings, day),
        spark.read.format("delta").load(settings.table_uri("gold_hourly")).collect(),
    )
    run_gold(spark, settings, day)
    after = (
        gold_rows(settings, day),
        spark.read.format("delta").load(settings.table_uri("gold_hourly")).collect(),
    )
    assert after[0] == before[0]
    assert sorted(after[1]) == sorted(before[1])


def test_a_failed_expectation_publishes_nothing_and_keeps_the_earlier_gold(
    spark: SparkSession, settings: Settings, backfilled: list[date]
) -> None:
    day = backfilled[0]
    before = gold_rows(settings, day)
    strict = settings.model_copy(update={"max_amount_inr": 50})
    with pytest.raises(
        GoldNotPublishedError,
        match=r"silver_day: 1 of 5 expectations failed: expect_column_values_to_be_between\(amount\)",
    ):
        run_gold(spark, strict, day)
    assert gold_rows(settings, day) == before
    ((success, failures),) = postgres(
        settings,
        f"SELECT success, failures FROM dq_results WHERE event_date = '{day}' ORDER BY validated_at DESC LIMIT 1",
    )
    assert (success, failures[0]["column"]) == (False, "amount")


def test_every_streamed_day_waits_for_gold_as_all_its_events_arrived_late(
    late_days_before_gold: list[date], days: list[date]
) -> None:
    assert late_days_before_gold == days


def test_publishing_a_day_clears_it_from_the_late_days(settings: Settings, backfilled: list[date]) -> None:
    assert late_days_to_recompute(settings.dsn) == []


def test_a_late_event_after_publication_is_counted_when_upi_gold_late_days_rebuilds_its_day(
    world: World, settings: Settings, backfilled: list[date]
) -> None:
    day = backfilled[2]
    ((before,),) = postgres(settings, f"SELECT txn_count FROM gold_daily_summary WHERE event_date = '{day}'")
    noon = datetime.combine(day, time(12), tzinfo=IST).isoformat(timespec="milliseconds")
    event = good_event(txn_id=f"YBL{uuid.uuid4().hex}", event_time=noon)
    late = Record(event["txn_id"].encode(), encode(event), Kind.LATE, event["txn_id"], "SUCCESS")
    send_to_kafka([late], world.settings.kafka_bootstrap, world.settings.kafka_topic)
    world.upi("stream", "--available-now")
    assert late_days_to_recompute(settings.dsn) == [day]
    world.upi("gold", "--late-days")
    assert postgres(settings, f"SELECT txn_count FROM gold_daily_summary WHERE event_date = '{day}'") == [
        (before + 1,)
    ]
    assert late_days_to_recompute(settings.dsn) == []


def test_airflow_dags_test_builds_the_ist_day_of_the_data_interval(
    settings: Settings, backfilled: list[date], tmp_path_factory: pytest.TempPathFactory
) -> None:
    day = backfilled[1]
    env = airflow_env(settings, tmp_path_factory.mktemp("airflow"))
    prepare_home(env)
    verdicts = f"SELECT count(*) FROM dq_results WHERE event_date = '{day}' AND success"
    ((before,),) = postgres(settings, verdicts)
    run_after = datetime.combine(day + timedelta(days=1), time(0, 30), tzinfo=IST)
    result = run_airflow(env, "dags", "test", "upi_gold_daily", run_after.isoformat())
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert postgres(settings, verdicts) == [(before + 2,)]
