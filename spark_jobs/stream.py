"""The streaming job: Kafka → bronze, and Kafka → silver + quarantine → Postgres, exactly once.

Two queries over the same topic, each with its own checkpoint, running side by side:

* ``ingest``: Kafka → ``foreachBatch`` → bronze (every record as received, with its Kafka coordinates).
* ``refine``: Kafka, as bronze rows → validated records → ``dropDuplicatesWithinWatermark`` on
  (txn_id, status) of the valid ones, with the RocksDB state store → ``foreachBatch`` → valid events to
  silver and the Postgres upsert; records that break the contract, each with its reason, to the quarantine
  table and its Postgres twin. Each Postgres write commits its ledger row in the same transaction; the four
  writes run at once (:func:`~spark_jobs.parallel.run_together`), so Postgres does not wait for the silver commit.

Refine reads Kafka rather than bronze's Delta log so that a payment reaches Postgres without first waiting
for the bronze commit and the next poll of it (freshness p50 3.8 s → 2.7 s at 1k events/s, 1 s trigger). Both
queries see the same records in the same shape (:func:`~spark_jobs.transforms.bronze.to_bronze`), so
``bronze = silver + quarantine + redeliveries dropped`` still holds once both have read the same offsets.

Each Delta append is marked with (query id, batch id) (:class:`~spark_jobs.io.delta_tables.MicroBatchAppender`),
so a replayed micro-batch writes nothing twice; validation runs once per record.

Run it with ``upi stream [--available-now]`` or ``spark-submit --jars "$UPI_SPARK_JARS" spark_jobs/stream.py``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from pyspark.errors import StreamingQueryException
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.streaming.query import StreamingQuery

from spark_jobs import tables
from spark_jobs.io.delta_tables import MicroBatchAppender, ensure_table
from spark_jobs.io.kafka_source import failed_in_kafka_metrics, read_kafka
from spark_jobs.io.postgres_connections import close_pools
from spark_jobs.io.postgres_sink import insert_quarantine_batch, upsert_clean_batch
from spark_jobs.metrics import SILVER_ROWS, VALID_ROWS, BatchPhases, ProgressRecorder, observe_count
from spark_jobs.parallel import run_together
from spark_jobs.session import build_spark
from spark_jobs.transforms.bronze import BRONZE_PARTITION, to_bronze
from spark_jobs.transforms.dedup import arrived_late, drop_redeliveries
from spark_jobs.transforms.validate import ValidationRules, passed, quarantined, valid_events, validate
from upi.kafka_admin import ensure_topic
from upi.settings import ConfigError, Settings, settings_or_exit

SILVER_PARTITION = "event_date"
ARRIVAL_COLUMNS = ("kafka_partition", "kafka_offset", "ingest_time")
"""The columns whose statistics each lake table keeps (with silver's ``event_time``): a record is found by
where it sat in Kafka or when it arrived; files are not clustered by any other column."""
CHECKPOINT_EVERY = 100
"""Commits between Delta checkpoints of the stream's tables (Delta's default is 10). The commit that writes one
first rebuilds the table's whole state: a 1.5k-row silver append took 1.7-2.2 s instead of 0.25-0.4 s (4-7 s
the first time in a JVM), and the micro-batch waits for it. At 10, every tenth refine batch stalled so, and
the rows arriving meanwhile set freshness's p99 (1k events/s for 2 minutes: 6.1-8.2 s; 1.5 s in 30 s
without a checkpoint). A reader replays at most this many small commits after the newest checkpoint."""
BatchWriter = Callable[[DataFrame, int], None]
KAFKA_METRICS_RESTARTS = 3
"""Restarts allowed per run for SPARK-55271 (see :func:`failed_in_kafka_metrics`)."""


@dataclass(frozen=True)
class StreamRun:
    """What one run of the job read from Kafka, and how long it took."""

    records_in: int
    seconds: float

    @property
    def records_per_second(self) -> float:
        return self.records_in / self.seconds if self.seconds > 0 else 0.0


def query_id(batch: DataFrame) -> str:
    """The id of the streaming query running this ``foreachBatch`` call; stable across restarts.

    Marks the query's Delta commits and is the Postgres ledger's ``app_id``: a new checkpoint gets a new id.
    """
    value = batch.sparkSession.sparkContext.getLocalProperty("sql.streaming.queryId")
    if not value:
        raise RuntimeError("query_id() must be called inside a streaming foreachBatch function")
    return str(value)


@dataclass(frozen=True)
class BatchCounts:
    """The records of a refine micro-batch that passed validation, and those that broke a rule."""

    valid: int
    rejected: int


@contextmanager
def _persisted(batch: DataFrame) -> Iterator[BatchCounts]:
    """Compute ``batch`` once, whole, and cache it for the writes that follow; yield what it holds.

    Computing it whole matters on a replayed micro-batch: every write may then be skipped as already
    done, yet the dedup state stores must still commit the batch (Spark 4.1 fails the query otherwise).
    The counts come from the same job, so no write needs another to learn that its side is empty.
    """
    batch.persist()
    counts = batch.agg(F.count_if(passed()), F.count_if(~passed())).first()
    assert counts is not None
    try:
        yield BatchCounts(valid=int(counts[0]), rejected=int(counts[1]))
    finally:
        batch.unpersist()


def _milliseconds_since(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)


def _timed(phases: dict[str, int], phase: str, write: Callable[[], object]) -> Callable[[], None]:
    """``write``, keeping its wall time in ``phases[phase]`` (milliseconds)."""

    def timed_write() -> None:
        started = time.perf_counter()
        write()
        phases[phase] = _milliseconds_since(started)

    return timed_write


class StreamJob:
    """The two streaming queries over one SparkSession and one Settings.

    Each refine batch records in ``phases`` how long it took to compute (read from Kafka, validate,
    deduplicate, cache), and each of its writes and all of them (they run at once).
    """

    def __init__(self, spark: SparkSession, settings: Settings) -> None:
        self.spark = spark
        self.settings = settings
        self.phases = BatchPhases()
        self.rules = ValidationRules.from_settings(settings)
        self.bronze_uri = settings.table_uri(tables.BRONZE)
        self.quarantine_uri = settings.table_uri(tables.QUARANTINE)
        self.silver_uri = settings.table_uri(tables.SILVER)
        self.bronze = MicroBatchAppender(self.bronze_uri, [BRONZE_PARTITION])
        self.quarantine = MicroBatchAppender(self.quarantine_uri, [BRONZE_PARTITION])
        self.silver = MicroBatchAppender(self.silver_uri, [SILVER_PARTITION])
        self.started: list[StreamingQuery] = []

    @property
    def latest(self) -> list[StreamingQuery]:
        """The query started last under each name."""
        return list({query.name: query for query in self.started}.values())

    def refuse_bronze_fed_checkpoint(self) -> None:
        """Raise :class:`ConfigError` if the checkpoints hold a refine query that read bronze: its offsets are
        Delta versions, which a Kafka-fed query can neither continue nor safely ignore (starting afresh would
        append every silver row again)."""
        old = tables.bronze_fed_refine_checkpoint(self.settings)
        jvm = self.spark.sparkContext._jvm
        assert jvm is not None
        metadata = jvm.org.apache.hadoop.fs.Path(f"{old}/metadata")
        if metadata.getFileSystem(self.spark.sparkContext._jsc.hadoopConfiguration()).exists(metadata):
            raise ConfigError(
                f"UPI_CHECKPOINT_URI: {old} is the checkpoint of a refine query that read bronze, which this "
                "version (refine reads Kafka) cannot continue; point UPI_CHECKPOINT_URI, UPI_LAKE_URI and "
                "UPI_POSTGRES_DSN at new locations, or delete the old checkpoints and lake tables to start over"
            )

    def kafka_as_bronze(self) -> DataFrame:
        """The topic's records as bronze rows: what both queries read."""
        return to_bronze(read_kafka(self.spark, self.settings))

    def ensure_tables(self) -> None:
        """Create the lake tables with their schemas, so each query can start on an empty lake."""
        bronze = self.kafka_as_bronze()
        checked = validate(bronze, self.rules)
        for uri, frame, partition, indexed in (
            (self.bronze_uri, bronze, BRONZE_PARTITION, ARRIVAL_COLUMNS),
            (self.quarantine_uri, quarantined(checked), BRONZE_PARTITION, ARRIVAL_COLUMNS),
            (self.silver_uri, valid_events(checked), SILVER_PARTITION, ("event_time", *ARRIVAL_COLUMNS)),
        ):
            ensure_table(
                self.spark,
                uri,
                frame.schema,
                [partition],
                stats_columns=indexed,
                checkpoint_interval=CHECKPOINT_EVERY,
            )

    def _write_ingest_batch(self, batch: DataFrame, batch_id: int) -> None:
        self.bronze.append(batch, app_id=query_id(batch), batch_id=batch_id)

    def _write_refine_batch(self, batch: DataFrame, batch_id: int) -> None:
        app_id = query_id(batch)
        dsn, late_after = self.settings.dsn, self.settings.watermark_delay
        phases: dict[str, int] = {}
        started = time.perf_counter()
        with _persisted(batch) as counts:
            phases["compute"] = _milliseconds_since(started)
            events, rejected = valid_events(batch), quarantined(batch)
            writing = time.perf_counter()
            # In any order: each write is idempotent on its own (ledger row or commit mark), so a batch
            # replayed after any of them failed redoes only those that did not commit.
            run_together(
                batch.sparkSession,
                _timed(phases, "postgres", lambda: upsert_clean_batch(
                    events, dsn, app_id=app_id, batch_id=batch_id, late_after=late_after
                )),
                _timed(phases, "silver", lambda: self.silver.append(
                    events, app_id=app_id, batch_id=batch_id, empty=not counts.valid
                )),
                _timed(phases, "postgresQuarantine", lambda: insert_quarantine_batch(
                    rejected, dsn, app_id=app_id, batch_id=batch_id
                )),
                _timed(phases, "quarantine", lambda: self.quarantine.append(
                    rejected, app_id=app_id, batch_id=batch_id, empty=not counts.rejected
                )),
            )  # fmt: skip
            phases["writes"] = _milliseconds_since(writing)
        self.phases.record(app_id, batch_id, phases)

    def _start(
        self, name: str, frame: DataFrame, writer: BatchWriter, available_now: bool, every_seconds: int
    ) -> StreamingQuery:
        stream = (
            frame.writeStream.queryName(name)
            .foreachBatch(writer)
            .option("checkpointLocation", tables.checkpoint(self.settings, name))
        )
        if available_now:
            stream = stream.trigger(availableNow=True)
        else:
            stream = stream.trigger(processingTime=f"{every_seconds} seconds")
        query = stream.start()
        self.started.append(query)
        return query

    def start_ingest(self, *, available_now: bool = False) -> StreamingQuery:
        return self._start(
            tables.INGEST_QUERY,
            self.kafka_as_bronze(),
            self._write_ingest_batch,
            available_now,
            self.settings.ingest_trigger_seconds,
        )

    def start_refine(self, *, available_now: bool = False) -> StreamingQuery:
        bronze = self.kafka_as_bronze()
        late = arrived_late(self.settings.watermark_delay)
        is_valid = passed()
        checked = observe_count(validate(bronze, self.rules), VALID_ROWS, where=is_valid)
        unique = drop_redeliveries(checked, self.settings.watermark_delay, keep_every=~is_valid)
        counted = observe_count(unique, SILVER_ROWS, where=is_valid, late=late)
        return self._start(
            tables.REFINE_QUERY,
            counted,
            self._write_refine_batch,
            available_now,
            self.settings.trigger_seconds,
        )


def _rows_read(query: StreamingQuery) -> int:
    return sum(int(progress.get("numInputRows", 0)) for progress in query.recentProgress)


def _run_queries(job: StreamJob, *, available_now: bool) -> int:
    """Start both queries and wait for them; return the Kafka records read. Raises if a query fails.

    With ``available_now`` each query stops once it has read what Kafka held when it started; otherwise
    both run until one stops or fails, and the other is then stopped.
    """
    queries = (job.start_ingest(available_now=available_now), job.start_refine(available_now=available_now))
    try:
        if available_now:
            for query in queries:
                query.awaitTermination()
        else:
            job.spark.streams.awaitAnyTermination()
    finally:
        for query in queries:
            if query.isActive:
                query.stop()
        job.spark.streams.resetTerminated()
    for query in queries:
        query.awaitTermination()  # re-raises the failure of a query that died
    return _rows_read(queries[0])


def _run_with_restarts(job: StreamJob, *, available_now: bool) -> int:
    """:func:`_run_queries`, started again (up to ``KAFKA_METRICS_RESTARTS`` times) after SPARK-55271;
    return the Kafka records the last attempt read."""
    for attempt in range(1, KAFKA_METRICS_RESTARTS + 2):
        try:
            return _run_queries(job, available_now=available_now)
        except StreamingQueryException:
            hit = [query.name for query in job.latest if failed_in_kafka_metrics(query)]
            if attempt > KAFKA_METRICS_RESTARTS or not hit:
                raise
            print(
                f"{' and '.join(hit)} hit SPARK-55271 after a replayed batch; restarting ({attempt})",
                file=sys.stderr,
            )
    raise AssertionError("unreachable")  # pragma: no cover


def run(settings: Settings, *, available_now: bool = False, live: bool = False) -> StreamRun:
    """Run the job: until Kafka is drained (``available_now``) or until stopped (Ctrl-C / SIGTERM).

    Every micro-batch's progress goes to Postgres ``pipeline_metrics``; with ``live``, a line to stderr too.
    """
    ensure_topic(settings.kafka_bootstrap, settings.kafka_topic, settings.kafka_topic_partitions)
    spark = build_spark(settings, settings.app_name)
    job = StreamJob(spark, settings)
    job.refuse_bronze_fed_checkpoint()
    job.ensure_tables()
    recorder = ProgressRecorder(settings.dsn, live=live, phases=job.phases)
    spark.streams.addListener(recorder)
    started = time.monotonic()
    try:
        records = _run_with_restarts(job, available_now=available_now)
        if not recorder.wait_until_recorded(str(query.runId) for query in job.started):
            print(
                "warning: the last micro-batches' metrics may be missing from pipeline_metrics",
                file=sys.stderr,
            )
        spark.streams.removeListener(recorder)
    finally:
        close_pools(settings.dsn)
    return StreamRun(records, time.monotonic() - started)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``spark-submit spark_jobs/stream.py [--available-now]``."""
    parser = argparse.ArgumentParser(prog="spark_jobs/stream.py", description=__doc__.splitlines()[0])
    parser.add_argument("--available-now", action="store_true", help="process what Kafka holds, then exit")
    args = parser.parse_args(argv)
    settings = settings_or_exit()
    result = run(settings, available_now=args.available_now)
    print(
        f"read {result.records_in} Kafka records in {result.seconds:.1f}s ({result.records_per_second:,.0f}/s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
