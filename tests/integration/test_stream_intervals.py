"""The running stream: the ingest query (bronze) keeps its own micro-batch interval, apart from the refine
query that feeds Postgres."""

from __future__ import annotations

from pathlib import Path

from pyspark.errors import AnalysisException
from pyspark.sql import SparkSession

from benchmarks.sink import clean_rows
from benchmarks.streaming import running_stream, wait_for_stream
from generator.events import TrafficMix
from spark_jobs import tables
from tests.integration.world import World, make_world, produce_traffic
from upi.settings import Settings

ONE_STATE_EACH = TrafficMix(pending_rate=0.0)


def _count_in_bronze(spark: SparkSession, world: World) -> int:
    # Not DeltaTable.isDeltaTable: it caches the answer "no table" for the session.
    try:
        return spark.read.format("delta").load(world.settings.table_uri(tables.BRONZE)).count()
    except AnalysisException:  # the stream has not made the table yet
        return 0


def test_bronze_waits_for_its_own_interval_while_postgres_gets_every_batch(
    stack: Settings, spark: SparkSession, tmp_path: Path
) -> None:
    world = make_world(
        stack, "file", tmp_path, env={"UPI_TRIGGER_SECONDS": "1", "UPI_BRONZE_TRIGGER_SECONDS": "3600"}
    )
    first = produce_traffic(world, records=1, seed=5, mix=ONE_STATE_EACH)
    with running_stream(world, tmp_path) as stream:
        # Both queries take what the topic held at their start in their first micro-batch.
        wait_for_stream(
            stream,
            tmp_path,
            lambda: (
                None
                if _count_in_bronze(spark, world) == 1 == clean_rows(world.settings.dsn)
                else "first batch"
            ),
            timeout=300,
        )
        later = produce_traffic(world, records=50, seed=6, mix=ONE_STATE_EACH)
        transactions = len({record.txn_id for record in first + later})
        wait_for_stream(
            stream,
            tmp_path,
            lambda: None if clean_rows(world.settings.dsn) == transactions else "the later transactions",
            timeout=300,
        )
        assert _count_in_bronze(spark, world) == 1
