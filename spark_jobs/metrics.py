"""Per-batch progress of the streaming queries → Postgres ``pipeline_metrics`` and a live line on stderr.

Spark reports each micro-batch's progress to listeners; :func:`batch_metrics` turns one report (its JSON)
into a row, and :class:`ProgressRecorder` writes the rows, with the phases of ``addBatch`` that the batch
function recorded in :class:`BatchPhases`. The refine query's counts come from observed
metrics (``VALID_ROWS`` before dedup, ``SILVER_ROWS`` after) and from the dedup state operator.

Example::

    >>> spark.streams.addListener(ProgressRecorder(settings.dsn, live=True))   # doctest: +SKIP
"""

from __future__ import annotations

import json
import math
import sys
import threading
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any, ClassVar

from pyspark import SparkContext
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.streaming.listener import (
    QueryIdleEvent,
    QueryProgressEvent,
    QueryStartedEvent,
    QueryTerminatedEvent,
    StreamingQueryListener,
)

from spark_jobs.io.postgres_connections import PostgresWriteError, run_in_transaction
from warehouse import sql

VALID_ROWS = "valid_rows"
SILVER_ROWS = "silver_rows"


def observe_count(frame: DataFrame, name: str, where: Column, late: Column | None = None) -> DataFrame:
    """``frame`` reporting per micro-batch, as observed metric ``name``, its rows ``where`` holds (and
    those of them ``late``)."""
    counts = [F.count(F.when(where, 1)).alias("rows")]
    if late is not None:
        counts.append(F.count(F.when(where & late, 1)).alias("late"))
    return frame.observe(name, *counts)


@dataclass(frozen=True)
class BatchMetrics:
    """One row of ``pipeline_metrics``."""

    query_name: str
    query_id: str
    run_id: str
    batch_id: int
    batch_time: str
    input_rows: int
    input_rows_per_second: float | None
    rows_per_second: float | None
    duration_ms: int
    durations: str
    watermark: str | None
    valid_rows: int | None
    silver_rows: int | None
    quarantined_rows: int | None
    duplicates_dropped: int | None
    late_rows_dropped: int | None
    state_rows: int | None
    state_memory_bytes: int | None
    kafka_lag_max: int | None
    late_rows: int | None

    def line(self) -> str:
        """A one-line summary for a terminal."""
        parts = [f"{self.query_name} batch {self.batch_id}: {self.input_rows:,} rows"]
        if self.rows_per_second is not None:
            parts.append(f"{self.rows_per_second:,.0f}/s")
        for label, value in (
            ("silver", self.silver_rows), ("quarantined", self.quarantined_rows),
            ("duplicates", self.duplicates_dropped), ("late", self.late_rows),
            ("kafka lag", self.kafka_lag_max),
        ):  # fmt: skip
            if value is not None:
                parts.append(f"{label} {value:,}")
        return " | ".join(parts)


class BatchPhases:
    """Where a ``foreachBatch`` function spent a micro-batch's ``addBatch`` time, by phase, until the
    :class:`ProgressRecorder` adds it to that batch's ``durations`` (as ``addBatch.<phase>`` milliseconds).

    Thread-safe: the stream's batch functions record, Spark's listener thread takes.

    Example::

        >>> phases = BatchPhases()
        >>> phases.record("query-id", 7, {"compute": 812, "postgres": 240})
        >>> phases.take("query-id", 7)
        {'compute': 812, 'postgres': 240}
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_batch: dict[tuple[str, int], dict[str, int]] = {}

    def record(self, query_id: str, batch_id: int, milliseconds: dict[str, int]) -> None:
        """Keep a batch's phase times (a replayed batch's replace those of its earlier attempt)."""
        with self._lock:
            self._by_batch[(query_id, batch_id)] = dict(milliseconds)

    def take(self, query_id: str, batch_id: int) -> dict[str, int]:
        """Remove and return a batch's phase times; none when its function recorded none."""
        with self._lock:
            return self._by_batch.pop((query_id, batch_id), {})


def _observed(progress: dict[str, Any], name: str, field: str = "rows") -> int | None:
    row = (progress.get("observedMetrics") or {}).get(name)
    return int(row[field]) if row and row.get(field) is not None else None


def _kafka_lag(progress: dict[str, Any]) -> int | None:
    lags = [
        int(float(source["metrics"]["maxOffsetsBehindLatest"]))
        for source in progress.get("sources", [])
        if "maxOffsetsBehindLatest" in (source.get("metrics") or {})
    ]
    return max(lags) if lags else None


def _state_total(state: list[dict[str, Any]], metric: str) -> int | None:
    """``metric`` summed over the state operators; ``None`` for a stateless query."""
    return sum(int(op.get(metric, 0)) for op in state) if state else None


def batch_metrics(progress: dict[str, Any], phases: Mapping[str, int] | None = None) -> BatchMetrics:
    """The ``pipeline_metrics`` row of one ``StreamingQueryProgress`` (as parsed from its JSON); ``phases``
    (milliseconds within ``addBatch``, from :class:`BatchPhases`) join Spark's durations as
    ``addBatch.<phase>``."""
    state = progress.get("stateOperators") or []
    custom = {k: v for op in state for k, v in (op.get("customMetrics") or {}).items()}
    valid, silver = _observed(progress, VALID_ROWS), _observed(progress, SILVER_ROWS)
    input_rows = int(progress.get("numInputRows", 0))
    return BatchMetrics(
        query_name=str(progress.get("name") or progress["id"]),
        query_id=str(progress["id"]),
        run_id=str(progress["runId"]),
        batch_id=int(progress["batchId"]),
        batch_time=str(progress["timestamp"]),
        input_rows=input_rows,
        input_rows_per_second=_finite(progress.get("inputRowsPerSecond")),
        rows_per_second=_finite(progress.get("processedRowsPerSecond")),
        duration_ms=int((progress.get("durationMs") or {}).get("triggerExecution", 0)),
        durations=json.dumps(
            {**(progress.get("durationMs") or {}), **{f"addBatch.{k}": v for k, v in (phases or {}).items()}},
            sort_keys=True,
        ),
        watermark=(progress.get("eventTime") or {}).get("watermark"),
        valid_rows=valid,
        silver_rows=silver,
        quarantined_rows=input_rows - valid if valid is not None else None,
        duplicates_dropped=int(custom["numDroppedDuplicateRows"])
        if "numDroppedDuplicateRows" in custom
        else None,
        late_rows_dropped=_state_total(state, "numRowsDroppedByWatermark"),
        state_rows=_state_total(state, "numRowsTotal"),
        state_memory_bytes=_state_total(state, "memoryUsedBytes"),
        kafka_lag_max=_kafka_lag(progress),
        late_rows=_observed(progress, SILVER_ROWS, "late"),
    )


def _finite(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


class ProgressRecorder(StreamingQueryListener):
    """Writes every micro-batch's :class:`BatchMetrics` to Postgres; with ``live``, prints its line too.

    Spark hands it each report as JSON (:class:`_ReportsAsJson`): PySpark's own listener bridge first turns
    a report into Python objects, ~450 py4j round trips and ~150 ms per report (its Java collections end
    their iteration with an exception, which PySpark matches against a dozen Java classes, each looked up
    in every jar), which the stream's driver paid for every micro-batch of both queries.
    """

    def __init__(self, dsn: str, *, live: bool = False, phases: BatchPhases | None = None) -> None:
        self.dsn = dsn
        self.live = live
        self.phases = phases or BatchPhases()
        self._ended_runs: set[str] = set()
        self._changed = threading.Condition()

    @property
    def _jlistener(self) -> Any:
        """The Java listener ``spark.streams.addListener`` registers (and ``removeListener`` removes).

        PySpark's own hook for it, so a PySpark upgrade may change it: the pipeline-metrics tests would fail."""
        if not hasattr(self, "_reports_as_json"):
            jvm = SparkContext._jvm
            assert jvm is not None, "a SparkContext must be running"
            self._reports_as_json = jvm.org.apache.spark.sql.streaming.PythonStreamingQueryListenerWrapper(
                _ReportsAsJson(self)
            )
        return self._reports_as_json

    def wait_until_recorded(self, run_ids: Iterable[str], timeout: float = 60.0) -> bool:
        """Wait until the end of each query run in ``run_ids`` has reached this listener, and so every progress
        event before it (Spark delivers a query's events in order, after the query has returned); False on
        timeout. Call it before removing the listener, or a run's last batch goes unrecorded."""
        wanted = set(run_ids)
        with self._changed:
            return self._changed.wait_for(lambda: wanted <= self._ended_runs, timeout)

    def record(self, progress: dict[str, Any]) -> None:
        """Write the metrics of one progress report (Spark's JSON of it, parsed)."""
        metrics = batch_metrics(progress, self.phases.take(str(progress["id"]), int(progress["batchId"])))
        row = asdict(metrics)
        try:
            run_in_transaction(
                self.dsn, lambda cur: cur.execute(sql("insert_pipeline_metrics"), row),
                what=f"metrics of {metrics.query_name} batch {metrics.batch_id}",
            )  # fmt: skip
        except PostgresWriteError as error:  # metrics must never stop the payments flowing
            print(f"warning: {error}", file=sys.stderr, flush=True)
        if self.live:
            print(metrics.line(), file=sys.stderr, flush=True)

    def run_ended(self, run_id: str) -> None:
        with self._changed:
            self._ended_runs.add(run_id)
            self._changed.notify_all()

    def onQueryStarted(self, event: QueryStartedEvent) -> None:  # noqa: N802 - Spark's listener API
        pass

    def onQueryProgress(self, event: QueryProgressEvent) -> None:  # noqa: N802 - Spark's listener API
        self.record(json.loads(event.progress.json))

    def onQueryIdle(self, event: QueryIdleEvent) -> None:  # noqa: N802 - Spark's listener API
        pass

    def onQueryTerminated(self, event: QueryTerminatedEvent) -> None:  # noqa: N802 - Spark's listener API
        self.run_ended(str(event.runId))


class _ReportsAsJson:
    """Spark's Java ``PythonStreamingQueryListener``, implemented over py4j: passes each progress report
    to a :class:`ProgressRecorder` as parsed JSON (two round trips) and each query run's end as its id."""

    def __init__(self, recorder: ProgressRecorder) -> None:
        self.recorder = recorder

    def onQueryStarted(self, jevent: Any) -> None:  # noqa: N802 - the Java interface's names
        pass

    def onQueryProgress(self, jevent: Any) -> None:  # noqa: N802
        self.recorder.record(json.loads(jevent.progress().json()))

    def onQueryIdle(self, jevent: Any) -> None:  # noqa: N802
        pass

    def onQueryTerminated(self, jevent: Any) -> None:  # noqa: N802
        self.recorder.run_ended(jevent.runId().toString())

    class Java:
        implements: ClassVar[list[str]] = ["org.apache.spark.sql.streaming.PythonStreamingQueryListener"]
