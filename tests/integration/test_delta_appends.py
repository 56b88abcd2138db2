"""``MicroBatchAppender`` on a real Delta table: each micro-batch lands once, across restarts of the query."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from delta.tables import DeltaTable
from pyspark.sql import DataFrame, SparkSession

from spark_jobs.io.delta_tables import MicroBatchAppender, ensure_table, last_batch_written

pytestmark = pytest.mark.integration

SCHEMA = "batch long, n long"


def _batch(spark: SparkSession, batch_id: int, rows: int = 3) -> DataFrame:
    return spark.createDataFrame([(batch_id, n) for n in range(rows)], SCHEMA)


@pytest.fixture
def table(spark: SparkSession, tmp_path: Path) -> str:
    uri = f"file://{tmp_path}/table"
    ensure_table(spark, uri, _batch(spark, 0).schema)
    return uri


def _rows(spark: SparkSession, uri: str) -> list[tuple[int, int]]:
    return sorted((r.batch, r.n) for r in spark.read.format("delta").load(uri).collect())


def test_consecutive_batches_are_appended_and_marked(spark: SparkSession, table: str) -> None:
    appender = MicroBatchAppender(table)
    assert [appender.append(_batch(spark, b), app_id="q1", batch_id=b) for b in (0, 1, 2)] == [True] * 3
    assert len(_rows(spark, table)) == 9
    assert last_batch_written(spark, table, "q1") == 2


def test_a_batch_replayed_after_a_restart_is_skipped(spark: SparkSession, table: str) -> None:
    MicroBatchAppender(table).append(_batch(spark, 0), app_id="q1", batch_id=0)
    restarted = MicroBatchAppender(table)
    assert restarted.append(_batch(spark, 0), app_id="q1", batch_id=0) is False
    assert restarted.append(_batch(spark, 1), app_id="q1", batch_id=1) is True
    assert _rows(spark, table) == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)]


def test_a_batch_handed_in_twice_by_one_process_is_written_once(spark: SparkSession, table: str) -> None:
    appender = MicroBatchAppender(table)
    appender.append(_batch(spark, 0), app_id="q1", batch_id=0)
    appender.append(_batch(spark, 1), app_id="q1", batch_id=1)
    assert appender.append(_batch(spark, 1), app_id="q1", batch_id=1) is False
    assert len(_rows(spark, table)) == 6


def test_another_query_id_is_a_new_writer(spark: SparkSession, table: str) -> None:
    MicroBatchAppender(table).append(_batch(spark, 0), app_id="q1", batch_id=0)
    assert MicroBatchAppender(table).append(_batch(spark, 0), app_id="q2", batch_id=0) is True
    assert len(_rows(spark, table)) == 6


def test_a_batch_known_to_be_empty_writes_no_commit(spark: SparkSession, table: str) -> None:
    appender = MicroBatchAppender(table)
    versions_before = DeltaTable.forPath(spark, table).history().count()
    assert appender.append(_batch(spark, 0, rows=0), app_id="q1", batch_id=0, empty=True) is False
    assert DeltaTable.forPath(spark, table).history().count() == versions_before
    assert appender.append(_batch(spark, 1), app_id="q1", batch_id=1) is True


def _file_stats(spark: SparkSession, uri: str) -> list[dict[str, Any]]:
    adds = spark.read.json(f"{uri}/_delta_log/*.json").where("add IS NOT NULL").select("add.stats").collect()
    return [json.loads(row["stats"]) for row in adds]


def test_files_carry_statistics_of_the_chosen_columns_only(spark: SparkSession, tmp_path: Path) -> None:
    uri = f"file://{tmp_path}/indexed"
    ensure_table(spark, uri, _batch(spark, 0).schema, stats_columns=["n"])
    MicroBatchAppender(uri).append(_batch(spark, 0), app_id="q1", batch_id=0)
    stats = _file_stats(spark, uri)
    assert sum(s["numRecords"] for s in stats) == 3
    assert {column for s in stats for column in (*s["minValues"], *s["maxValues"])} == {"n"}


def test_a_table_made_before_gets_the_chosen_statistics_columns(spark: SparkSession, table: str) -> None:
    ensure_table(spark, table, _batch(spark, 0).schema, stats_columns=["batch"])
    properties = DeltaTable.forPath(spark, table).detail().first()["properties"]  # type: ignore[index]
    assert properties["delta.dataSkippingStatsColumns"] == "batch"


def _checkpoint_versions(uri: str) -> list[int]:
    log = Path(uri.removeprefix("file://")) / "_delta_log"
    return sorted(int(path.name.split(".")[0]) for path in log.glob("*.checkpoint.parquet"))


def test_a_checkpoint_is_written_every_chosen_number_of_commits(spark: SparkSession, tmp_path: Path) -> None:
    uri = f"file://{tmp_path}/sparse"
    ensure_table(spark, uri, _batch(spark, 0).schema, checkpoint_interval=3)
    appender = MicroBatchAppender(uri)
    for batch_id in range(7):  # versions 1-7 after the table's creation
        appender.append(_batch(spark, batch_id), app_id="q1", batch_id=batch_id)
    assert _checkpoint_versions(uri) == [3, 6]


def test_a_table_made_before_gets_the_chosen_checkpoint_interval(spark: SparkSession, table: str) -> None:
    ensure_table(spark, table, _batch(spark, 0).schema, checkpoint_interval=100)
    properties = DeltaTable.forPath(spark, table).detail().first()["properties"]  # type: ignore[index]
    assert properties["delta.checkpointInterval"] == "100"
