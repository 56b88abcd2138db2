"""Pure transforms around validation: Kafka record → bronze row, and redelivery dedup."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from chispa import assert_df_equality
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from spark_jobs.transforms.bronze import to_bronze
from spark_jobs.transforms.dedup import arrived_late, drop_redeliveries

T0 = datetime(2026, 11, 25, 6, 0, 0)


def test_bronze_keeps_the_record_and_its_kafka_coordinates(spark: SparkSession) -> None:
    kafka = spark.createDataFrame(
        [(b"k1", b"\xff raw", "upi_transactions", 1, 42, T0, 0)],
        "key binary, value binary, topic string, partition int, offset long, timestamp timestamp, timestampType int",
    )
    received = F.lit(datetime(2026, 11, 24, 19, 0, tzinfo=UTC)).cast("timestamp")
    actual = to_bronze(kafka, ingest_time=received)
    expected = spark.createDataFrame(
        [
            (
                b"k1",
                b"\xff raw",
                "upi_transactions",
                1,
                42,
                T0,
                datetime(2026, 11, 24, 19, 0),
                date(2026, 11, 24),
            )
        ],
        "key binary, value binary, kafka_topic string, kafka_partition int, kafka_offset long, "
        "kafka_timestamp timestamp, ingest_time timestamp, ingest_date date",
    )
    assert_df_equality(actual, expected, ignore_nullable=True)


def test_bronze_keeps_kafka_headers_when_the_source_has_them(spark: SparkSession) -> None:
    kafka = spark.createDataFrame(
        [(b"k", b"v", "t", 0, 0, T0, 0, [("trace", b"abc")])],
        "key binary, value binary, topic string, partition int, offset long, timestamp timestamp, "
        "timestampType int, headers array<struct<key:string,value:binary>>",
    )
    row = to_bronze(kafka).select("kafka_headers").first()
    assert row is not None and [(h["key"], bytes(h["value"])) for h in row["kafka_headers"]] == [
        ("trace", b"abc")
    ]


def test_bronze_rows_of_one_query_share_its_timestamp(spark: SparkSession) -> None:
    kafka = spark.createDataFrame(
        [(b"k", b"v", "t", 0, n, T0, 0) for n in range(3)],
        "key binary, value binary, topic string, partition int, offset long, timestamp timestamp, timestampType int",
    )
    rows = to_bronze(kafka).select("ingest_time", F.current_timestamp().alias("now")).collect()
    assert {(r["ingest_time"], r["now"]) for r in rows} == {(rows[0]["now"], rows[0]["now"])}


def test_later_micro_batches_of_bronze_compile_no_new_code(spark: SparkSession, tmp_path: Path) -> None:
    """Each micro-batch has its own timestamp; were it a constant of the generated Java source, every batch
    would compile its stages anew."""
    (tmp_path / "in").mkdir()
    kafka = spark.readStream.schema(
        "key binary, value binary, topic string, partition int, offset long, timestamp timestamp"
    ).json(str(tmp_path / "in"))
    query = (
        to_bronze(kafka).writeStream.format("memory").queryName(f"bronze_{uuid.uuid4().hex}")
        .option("checkpointLocation", str(tmp_path / "checkpoint")).start()
    )  # fmt: skip
    jvm = spark.sparkContext._jvm
    assert jvm is not None
    compilations = jvm.org.apache.spark.metrics.source.CodegenMetrics.METRIC_COMPILATION_TIME()
    compiled: list[int] = []
    try:
        for offset in range(3):
            record = {"topic": "t", "partition": 0, "offset": offset, "timestamp": "2026-11-25T06:00:00Z"}
            (tmp_path / "in" / f"{offset}.json").write_text(json.dumps(record))
            before = compilations.getCount()
            query.processAllAvailable()
            compiled.append(compilations.getCount() - before)
    finally:
        query.stop()
    assert compiled[0] > 0 and compiled[1:] == [0, 0]


class DedupStream:
    """``drop_redeliveries`` on a real file stream: each ``feed`` is one micro-batch into a memory sink."""

    def __init__(self, spark: SparkSession, folder: Path) -> None:
        self.spark, self.folder, self.batches = spark, folder, 0
        (folder / "in").mkdir()
        source = spark.readStream.schema(
            "txn_id string, status string, event_time timestamp, ingest_time timestamp"
        ).json(str(folder / "in"))
        self.sink = f"dedup_{uuid.uuid4().hex}"
        self.query = (
            drop_redeliveries(source, "10 minutes")
            .writeStream.format("memory").queryName(self.sink)
            .option("checkpointLocation", str(folder / "checkpoint")).start()
        )  # fmt: skip

    def feed(self, *rows: tuple[str, str, str], ingest_time: str = "2026-11-25T06:00:10Z") -> None:
        lines = [
            json.dumps({"txn_id": t, "status": s, "event_time": e, "ingest_time": ingest_time})
            for t, s, e in rows
        ]
        (self.folder / "in" / f"{self.batches:04d}.json").write_text("\n".join(lines))
        self.batches += 1
        self.query.processAllAvailable()

    def kept(self) -> list[tuple[str, str]]:
        return sorted((r["txn_id"], r["status"]) for r in self.spark.table(self.sink).collect())


@pytest.fixture
def dedup(spark: SparkSession, tmp_path: Path) -> Iterator[DedupStream]:
    stream = DedupStream(spark, tmp_path)
    try:
        yield stream
    finally:
        stream.query.stop()


def test_a_redelivered_state_is_dropped_within_a_batch(dedup: DedupStream) -> None:
    dedup.feed(("T1", "SUCCESS", "2026-11-25T06:00:00Z"), ("T1", "SUCCESS", "2026-11-25T06:00:00Z"))
    assert dedup.kept() == [("T1", "SUCCESS")]


def test_a_redelivered_state_is_dropped_in_a_later_batch(dedup: DedupStream) -> None:
    dedup.feed(("T1", "SUCCESS", "2026-11-25T06:00:00Z"), ingest_time="2026-11-25T06:00:10Z")
    dedup.feed(
        ("T1", "SUCCESS", "2026-11-25T06:00:00Z"), ("T2", "FAILED", "2026-11-25T06:00:04Z"),
        ingest_time="2026-11-25T06:05:00Z",
    )  # fmt: skip
    assert dedup.kept() == [("T1", "SUCCESS"), ("T2", "FAILED")]


def test_a_status_transition_of_one_transaction_is_kept(dedup: DedupStream) -> None:
    dedup.feed(("T1", "PENDING", "2026-11-25T06:00:00Z"))
    dedup.feed(("T1", "SUCCESS", "2026-11-25T06:00:09Z"))
    assert dedup.kept() == [("T1", "PENDING"), ("T1", "SUCCESS")]


def test_an_event_hours_older_than_the_others_is_kept(dedup: DedupStream) -> None:
    dedup.feed(("T1", "SUCCESS", "2026-11-25T06:00:00Z"), ingest_time="2026-11-25T06:00:10Z")
    dedup.feed(("T1", "SUCCESS", "2026-11-25T06:20:00Z"), ingest_time="2026-11-25T06:20:10Z")
    dedup.feed(("T9", "SUCCESS", "2026-11-25T01:00:00Z"), ingest_time="2026-11-25T06:21:00Z")
    assert ("T9", "SUCCESS") in dedup.kept()


def test_an_event_arriving_after_the_window_counts_as_late(spark: SparkSession) -> None:
    times = spark.createDataFrame(
        [("2026-11-25 06:00:00", "2026-11-25 06:09:59"), ("2026-11-25 06:00:00", "2026-11-25 06:10:01")],
        "event_time string, ingest_time string",
    ).select(
        F.to_timestamp("event_time").alias("event_time"), F.to_timestamp("ingest_time").alias("ingest_time")
    )
    assert [r.late for r in times.select(arrived_late("10 minutes").alias("late")).collect()] == [False, True]


def test_every_record_marked_keep_every_is_kept_even_with_the_same_key(
    spark: SparkSession, tmp_path: Path
) -> None:
    (tmp_path / "in").mkdir()
    rows: list[dict[str, object]] = [
        {"txn_id": "T1", "status": "SUCCESS", "reason": None, "kafka_partition": 0, "kafka_offset": 1},
        {"txn_id": "T1", "status": "SUCCESS", "reason": None, "kafka_partition": 0, "kafka_offset": 2},
        {
            "txn_id": "T2",
            "status": "SUCCESS",
            "reason": "amount_too_precise",
            "kafka_partition": 0,
            "kafka_offset": 3,
        },
        {
            "txn_id": "T2",
            "status": "SUCCESS",
            "reason": "amount_too_precise",
            "kafka_partition": 1,
            "kafka_offset": 3,
        },
    ]
    lines = [json.dumps({**row, "ingest_time": "2026-11-25T06:00:10Z"}) for row in rows]
    (tmp_path / "in" / "0000.json").write_text("\n".join(lines))
    source = spark.readStream.schema(
        "txn_id string, status string, reason string, kafka_partition int, kafka_offset long, ingest_time timestamp"
    ).json(str(tmp_path / "in"))
    sink = f"dedup_{uuid.uuid4().hex}"
    query = (
        drop_redeliveries(source, "10 minutes", keep_every=F.col("reason").isNotNull())
        .writeStream.format("memory").queryName(sink)
        .option("checkpointLocation", str(tmp_path / "checkpoint")).start()
    )  # fmt: skip
    try:
        query.processAllAvailable()
    finally:
        query.stop()
    kept = spark.table(sink)
    assert "_record" not in kept.columns
    assert sorted((r.txn_id, r.reason or "") for r in kept.collect()) == [
        ("T1", ""), ("T2", "amount_too_precise"), ("T2", "amount_too_precise"),
    ]  # fmt: skip
