"""Sustained events/s of ``upi stream`` and its Postgres sink rate, beside a bare COPY-upsert of the same rows.

All measured in one run on one machine state:

1. ``records`` generated records (the demo's mix: redeliveries, invalid records) go to a fresh topic, and
   ``upi stream --available-now`` drains them through bronze, silver and Postgres in micro-batches of
   ``batch_records``; the two queries run side by side. Events/s = records / the span of the micro-batches
   (Spark's own progress reports in ``pipeline_metrics``: first start to last end), and, without each query's
   first batch (JIT warm-up), the slower query's rate.
2. The sink's rate: rows it merged / the time inside its transactions (``sink_batches.write_ms``: claim,
   COPY, merge, late-day bookkeeping; the batch is collected from Spark and encoded as CSV before the
   transaction, as the bare COPY-upsert's is before its clock starts).
3. The bare COPY-upsert: the same silver rows in batches of the same sizes, pre-encoded as CSV, COPY'd and
   merged with the sink's own SQL by psycopg2 alone (no Spark, no ledger) into an empty database: the
   ceiling the sink is measured against.
4. Row at a time: ``executemany`` of 20 rows per transaction into staging, then the same merge (the
   seed project's approach), on the first ``baseline_rows`` rows.

Run it with ``python -m benchmarks sink`` (``make bench``).
"""

from __future__ import annotations

import functools
import io
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg2
import pyarrow as pa
from matplotlib.figure import Figure
from psycopg2.extensions import cursor as Cursor

from benchmarks.results import titled
from generator.events import TrafficMix
from spark_jobs import tables
from spark_jobs.io.postgres_sink import CLEAN_TARGET, csv_of, merge_csv
from spark_jobs.session import build_spark
from spark_jobs.transforms.validate import SILVER_COLUMNS
from tests.integration.expected import postgres
from tests.integration.world import World, create_database, make_world, produce_traffic
from upi.settings import Settings
from warehouse import sql

DEMO_MIX = TrafficMix(duplicate_rate=0.04, invalid_rate=0.02)
ROWS_PER_EXECUTEMANY_TRANSACTION = 20


@dataclass(frozen=True)
class SinkBenchmark:
    """The sizes of one run."""

    records: int = 200_000  # generated and drained by the stream
    batch_records: int = 50_000  # maxOffsetsPerTrigger
    baseline_rows: int = 20_000  # rows of the executemany baseline (it is slow)
    seed: int = 7


def _rate(rows: float, seconds: float) -> float:
    return rows / seconds if seconds > 0 else 0.0


def _stream_rates(world: World, records: int) -> dict[str, Any]:
    """Events/s from the micro-batches the stream reported: ``records`` over the span from the first batch's
    start to the last one's end, and, without each query's first batch (JIT warm-up), the slower query's
    rate. The two queries run side by side, so the slower one sets the end-to-end rate."""
    batches = [
        (str(name), int(batch), int(rows), start, start + timedelta(milliseconds=int(ms)))
        for name, batch, rows, start, ms in postgres(
            world.settings,
            "SELECT query_name, batch_id, input_rows, batch_time, duration_ms FROM pipeline_metrics",
        )
    ]
    span = (max(end for *_, end in batches) - min(start for *_, start, _ in batches)).total_seconds()
    per_query: dict[str, dict[str, float]] = {}
    for name in sorted({name for name, *_ in batches}):
        own = sorted((b for b in batches if b[0] == name), key=lambda b: b[1])
        later = own[1:]
        seconds = (later[-1][4] - own[0][4]).total_seconds() if later else 0.0
        per_query[name] = {"rows_per_second_after_first_batch": _rate(sum(b[2] for b in later), seconds)}
    steady = [q["rows_per_second_after_first_batch"] for q in per_query.values()]
    return {
        "micro_batches": len(batches),
        "span_seconds": span,
        "events_per_second": _rate(records, span),
        "events_per_second_after_first_batch": min(steady) if steady and all(steady) else None,
        "queries": per_query,
    }


def sink_rate(world: World) -> dict[str, Any]:
    ((batches, rows_in, rows_upserted, write_ms),) = postgres(
        world.settings,
        "SELECT count(*), sum(rows_in), sum(rows_upserted), sum(write_ms) FROM sink_batches"
        f" WHERE target = '{CLEAN_TARGET}'",
    )
    return {
        "batches": int(batches),
        "rows_in": int(rows_in),
        "rows_upserted": int(rows_upserted),
        "seconds": float(write_ms) / 1000,
        "rows_per_second": _rate(int(rows_in), float(write_ms) / 1000),
    }


def silver_in_sink_batches(world: World, limit: int | None = None) -> list[pa.Table]:
    """Silver's rows in Kafka order, cut into batches of the sizes the sink's ledger recorded; with ``limit``,
    the first batches up to that many rows (the driver holds them all in memory)."""
    sizes = [int(n) for (n,) in postgres(
        world.settings, f"SELECT rows_in FROM sink_batches WHERE target = '{CLEAN_TARGET}' ORDER BY batch_id"
    )]  # fmt: skip
    if limit is not None:
        room = [max(0, limit - sum(sizes[:i])) for i in range(len(sizes))]
        sizes = [min(size, left) for size, left in zip(sizes, room, strict=True) if left > 0]
    spark = build_spark(world.settings, "upi-bench-sink", ui=False)
    silver = (
        spark.read.format("delta").load(world.settings.table_uri(tables.SILVER))
        .select(*SILVER_COLUMNS).orderBy("kafka_partition", "kafka_offset").limit(sum(sizes)).toArrow()
    )  # fmt: skip
    offsets = [sum(sizes[:i]) for i in range(len(sizes))]
    return [silver.slice(offset, size) for offset, size in zip(offsets, sizes, strict=True)]


def _timed_transactions(dsn: str, transactions: Iterator[Callable[[Cursor], object]]) -> float:
    """Seconds to run each of ``transactions`` in its own transaction on one connection."""
    with closing(psycopg2.connect(dsn)) as conn:
        started = time.perf_counter()
        for work in transactions:
            with conn, conn.cursor() as cur:
                work(cur)
        return time.perf_counter() - started


def clean_rows(dsn: str) -> int:
    """Rows of ``clean_upi_transactions`` in the database at ``dsn``."""
    with closing(psycopg2.connect(dsn)) as conn, conn.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {CLEAN_TARGET}")
        ((rows,),) = cur.fetchall()
        return int(rows)


def _fresh_database(stack: Settings, label: str) -> str:
    return create_database(stack.dsn, f"upi_bench_{label}_{uuid.uuid4().hex[:8]}")


def _merge_clean_csv(cur: Cursor, rows: io.BytesIO) -> int:
    return merge_csv(cur, CLEAN_TARGET, SILVER_COLUMNS, rows)


def bare_copy_upsert(stack: Settings, batches: list[pa.Table]) -> dict[str, Any]:
    csvs = [csv_of(batch) for batch in batches]  # encoded before the clock starts: Postgres' share only
    dsn = _fresh_database(stack, "copy")
    seconds = _timed_transactions(dsn, (functools.partial(_merge_clean_csv, rows=rows) for rows in csvs))
    rows = sum(batch.num_rows for batch in batches)
    return {"rows": rows, "seconds": seconds, "rows_per_second": _rate(rows, seconds), "dsn": dsn}


def executemany_in_twenties(stack: Settings, batches: list[pa.Table], limit: int) -> dict[str, Any]:
    rows = pa.concat_tables(batches).slice(0, limit).to_pylist()
    chunks = [
        rows[i : i + ROWS_PER_EXECUTEMANY_TRANSACTION]
        for i in range(0, len(rows), ROWS_PER_EXECUTEMANY_TRANSACTION)
    ]

    def transaction(chunk: list[dict[str, Any]]) -> Callable[[Cursor], object]:
        def work(cur: Cursor) -> None:
            cur.execute(sql(f"stage_{CLEAN_TARGET}"))
            cur.executemany(sql("stage_clean_upi_transaction_row"), chunk)
            cur.execute(sql("upsert_clean_upi_transactions"))

        return work

    seconds = _timed_transactions(_fresh_database(stack, "rows"), (transaction(c) for c in chunks))
    return {"rows": len(rows), "seconds": seconds, "rows_per_second": _rate(len(rows), seconds)}


def _figure(result: dict[str, Any]) -> Figure:
    labels = ["upi stream\n(end to end)", "its Postgres sink", "bare COPY-upsert", "executemany × 20"]
    values = [
        result["stream"]["events_per_second_after_first_batch"] or result["stream"]["events_per_second"],
        result["sink"]["rows_per_second"],
        result["bare_copy_upsert"]["rows_per_second"],
        result["executemany_20"]["rows_per_second"],
    ]
    figure = Figure(figsize=(8, 4.2))
    axes = figure.subplots()
    bars = axes.bar(labels, values, color=["#4c72b0", "#55a868", "#8172b2", "#c44e52"])
    axes.bar_label(bars, labels=[f"{v:,.0f}/s" for v in values])
    axes.set_ylabel("rows (events) per second")
    ratios = result["ratios"]
    return titled(
        figure,
        f"{result['records']:,} records; sink = {ratios['sink_vs_bare_copy_upsert']:.0%} of bare COPY-upsert, "
        f"{ratios['sink_vs_executemany_20']:.1f}× executemany",
    )


def run_sink_benchmark(stack: Settings, config: SinkBenchmark, folder: Path) -> tuple[dict[str, Any], Figure]:
    """Run the four measurements above on the running ``stack``; return the result and its plot."""
    world = make_world(stack, "file", folder, env={"UPI_MAX_OFFSETS_PER_TRIGGER": str(config.batch_records)})
    produce_traffic(world, records=config.records, seed=config.seed, mix=DEMO_MIX)
    started = time.monotonic()
    world.upi("stream", "--available-now", timeout=3600)
    wall = time.monotonic() - started
    stream = {**_stream_rates(world, config.records), "wall_seconds_with_startup": wall}
    sink = sink_rate(world)
    batches = silver_in_sink_batches(world)
    bare = bare_copy_upsert(stack, batches)
    stream_rows, bare_rows = (clean_rows(dsn) for dsn in (world.settings.dsn, bare.pop("dsn")))
    if stream_rows != bare_rows:
        raise AssertionError(f"the bare COPY-upsert left {bare_rows} rows, the stream {stream_rows}")
    row_by_row = executemany_in_twenties(stack, batches, config.baseline_rows)
    result: dict[str, Any] = {
        "records": config.records,
        "batch_records": config.batch_records,
        "stream": stream,
        "sink": sink,
        "bare_copy_upsert": bare,
        "executemany_20": row_by_row,
        "postgres_rows": int(stream_rows),
        "ratios": {
            "sink_vs_bare_copy_upsert": sink["rows_per_second"] / bare["rows_per_second"],
            "sink_vs_executemany_20": sink["rows_per_second"] / row_by_row["rows_per_second"],
        },
    }
    return result, _figure(result)
