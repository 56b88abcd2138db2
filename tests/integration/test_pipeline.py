"""Generator → real Kafka → `upi stream --available-now` → real Delta (local files or S3) and Postgres.

One run per lake flavour (module-scoped, it takes a minute); each test checks one identity of that run.
The traffic mixes new transactions, PENDING → SUCCESS/FAILED transitions, byte-identical redeliveries
and invalid records; the expected counts come from what the generator says it sent.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from delta.tables import DeltaTable
from pyspark.sql import SparkSession

from generator.events import Kind, Record, TrafficMix
from spark_jobs import tables
from spark_jobs.report import Reconciliation, reconcile
from spark_jobs.stream import CHECKPOINT_EVERY
from tests.integration.expected import final_states, postgres
from tests.integration.world import World, make_world, produce_traffic
from upi.settings import Settings

pytestmark = pytest.mark.integration

RECORDS = 4_000
REFINE_WRITES = ("postgres", "silver", "postgresQuarantine", "quarantine")
REFINE_PHASES = ("compute", "writes", *REFINE_WRITES)


@dataclass(frozen=True)
class PipelineRun:
    world: World
    sent: list[Record]
    counts: Reconciliation

    @property
    def kinds(self) -> Counter[Kind]:
        return Counter(r.kind for r in self.sent)


@pytest.fixture(scope="module", params=["file", "s3a"])
def run(
    request: pytest.FixtureRequest,
    stack: Settings,
    spark: SparkSession,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[PipelineRun]:
    world = make_world(stack, request.param, tmp_path_factory.mktemp(f"lake-{request.param}"))
    mix = TrafficMix(duplicate_rate=0.05, invalid_rate=0.03, late_rate=0.02, pending_rate=0.06)
    sent = produce_traffic(world, records=RECORDS, seed=11, mix=mix)
    world.upi("stream", "--available-now")
    yield PipelineRun(world, sent, reconcile(spark, world.settings))


def test_every_produced_record_lands_in_bronze(run: PipelineRun) -> None:
    assert run.counts.bronze == RECORDS


def test_every_invalid_record_is_quarantined(run: PipelineRun) -> None:
    assert run.counts.quarantined == run.kinds[Kind.INVALID]


def test_postgres_quarantine_matches_the_lake_quarantine_reason_by_reason(run: PipelineRun) -> None:
    rows = postgres(run.world.settings, "SELECT reason, count(*) FROM quarantine_upi_events GROUP BY 1")
    assert dict(rows) == run.counts.quarantine_reasons


def test_postgres_quarantine_keeps_the_raw_bytes_of_records_that_are_not_utf8(run: PipelineRun) -> None:
    sent = {bytes(r.value) for r in run.sent if r.kind is Kind.INVALID}
    rows = postgres(
        run.world.settings, "SELECT value, value_text FROM quarantine_upi_events WHERE reason = 'not_utf8'"
    )
    assert rows
    assert all(bytes(value) in sent and text is None for value, text in rows)


def test_silver_holds_each_distinct_state_once(run: PipelineRun) -> None:
    assert run.counts.silver == run.kinds[Kind.NEW] + run.kinds[Kind.LATE] + run.kinds[Kind.TRANSITION]


def test_bronze_is_silver_plus_quarantine_plus_the_redeliveries_dropped(run: PipelineRun) -> None:
    counts = run.counts
    assert counts.bronze == counts.silver + counts.quarantined + counts.dropped
    assert counts.dropped == run.kinds[Kind.DUPLICATE]


def test_postgres_has_one_row_per_distinct_valid_txn_id(run: PipelineRun) -> None:
    assert run.counts.postgres_rows == len(final_states(run.sent))


def test_postgres_holds_each_transactions_final_status(run: PipelineRun) -> None:
    rows = dict(postgres(run.world.settings, "SELECT txn_id, status FROM clean_upi_transactions"))
    assert rows == final_states(run.sent)


def test_postgres_amounts_add_up_to_the_paisa(run: PipelineRun) -> None:
    import json

    amounts = {
        r.txn_id: Decimal(json.loads(r.value)["amount"]) for r in run.sent if r.kind in (Kind.NEW, Kind.LATE)
    }
    ((total,),) = postgres(run.world.settings, "SELECT sum(amount) FROM clean_upi_transactions")
    assert total == sum(amounts.values())


def test_each_sink_batch_is_recorded_once_in_the_ledger(run: PipelineRun) -> None:
    ((batches, distinct, rows_in),) = postgres(
        run.world.settings,
        "SELECT count(*), count(DISTINCT (app_id, batch_id)), sum(rows_in) FROM sink_batches "
        "WHERE target = 'clean_upi_transactions'",
    )
    assert batches == distinct and rows_in == run.counts.silver


def test_pipeline_metrics_count_every_bronze_record_read_by_each_query(run: PipelineRun) -> None:
    rows = postgres(run.world.settings, "SELECT query_name, sum(input_rows) FROM pipeline_metrics GROUP BY 1")
    assert dict(rows) == {"ingest": run.counts.bronze, "refine": run.counts.bronze}


def test_pipeline_metrics_account_for_every_refined_row(run: PipelineRun) -> None:
    ((silver, quarantined, duplicates, late),) = postgres(
        run.world.settings,
        "SELECT sum(silver_rows), sum(quarantined_rows), sum(duplicates_dropped), sum(late_rows_dropped) "
        "FROM pipeline_metrics WHERE query_name = 'refine'",
    )
    assert (silver, quarantined, duplicates, late) == (
        run.counts.silver, run.counts.quarantined, run.counts.dropped, 0,
    )  # fmt: skip


def test_every_refine_batch_records_how_long_it_computed_and_wrote_within_add_batch(run: PipelineRun) -> None:
    rows = postgres(
        run.world.settings,
        "SELECT durations FROM pipeline_metrics WHERE query_name = 'refine' AND input_rows > 0",
    )
    assert rows
    for (all_durations,) in rows:
        durations = {k: v for k, v in all_durations.items() if k.startswith("addBatch")}
        assert set(durations) == {"addBatch", *(f"addBatch.{phase}" for phase in REFINE_PHASES)}
        assert durations["addBatch.compute"] + durations["addBatch.writes"] <= durations["addBatch"] + 1
        assert all(durations[f"addBatch.{w}"] <= durations["addBatch.writes"] for w in REFINE_WRITES)


def test_events_hours_late_reach_postgres_and_their_days_are_recorded(run: PipelineRun) -> None:
    late = [r for r in run.sent if r.kind is Kind.LATE]
    assert late
    ((in_postgres,),) = postgres(
        run.world.settings,
        "SELECT count(*) FROM clean_upi_transactions WHERE txn_id IN ({})".format(
            ",".join(f"'{r.txn_id}'" for r in late)
        ),
    )
    ((recorded,),) = postgres(run.world.settings, "SELECT coalesce(sum(late_rows), 0) FROM late_event_days")
    assert (in_postgres, recorded) == (len(late), len(late))


def test_pipeline_metrics_count_the_late_arrivals(run: PipelineRun) -> None:
    ((late,),) = postgres(
        run.world.settings, "SELECT sum(late_rows) FROM pipeline_metrics WHERE query_name = 'refine'"
    )
    assert late == run.kinds[Kind.LATE]


def test_running_again_on_the_same_checkpoint_writes_nothing(run: PipelineRun, spark: SparkSession) -> None:
    run.world.upi("stream", "--available-now")
    assert reconcile(spark, run.world.settings) == run.counts


@pytest.mark.parametrize("table", [tables.BRONZE, tables.SILVER, tables.QUARANTINE])
def test_the_streams_lake_tables_write_a_delta_checkpoint_only_every_hundred_commits(
    run: PipelineRun, spark: SparkSession, table: str
) -> None:
    detail = DeltaTable.forPath(spark, run.world.settings.table_uri(table)).detail().first()
    assert detail is not None
    assert detail["properties"]["delta.checkpointInterval"] == str(CHECKPOINT_EVERY)


@pytest.mark.parametrize("query", [tables.INGEST_QUERY, tables.REFINE_QUERY])
def test_a_replayed_micro_batch_writes_nothing_twice(
    run: PipelineRun, spark: SparkSession, query: str
) -> None:
    """Forget the last batch's commit, as a crash between the writes and Spark's commit would."""
    location = urlsplit(tables.checkpoint(run.world.settings, query))
    if location.scheme != "file":
        pytest.skip("the checkpoint is edited on the local file system")
    commits = Path(location.path) / "commits"
    last = max(int(f.name) for f in commits.iterdir() if f.name.isdigit())
    (commits / str(last)).unlink()
    (commits / f".{last}.crc").unlink(missing_ok=True)
    run.world.upi("stream", "--available-now")
    assert reconcile(spark, run.world.settings) == run.counts
