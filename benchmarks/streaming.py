"""``upi stream`` as a background process of a benchmark: started in a world, stopped like Ctrl-C.

Example::

    >>> with running_stream(world, folder) as process:   # doctest: +SKIP
    ...     produce(...)
"""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from generator.events import TrafficMix
from generator.producer import send_to_kafka
from generator.profiles import STEADY
from generator.workers import Plan
from spark_jobs import tables
from tests.integration.expected import postgres
from tests.integration.world import World
from upi.kafka_admin import topic_size
from upi.stack.process import stop_group

WARM_UP_RECORDS = 1_000
RECORDS_THROUGH = f"""
SELECT least(coalesce(sum(input_rows) FILTER (WHERE query_name = '{tables.INGEST_QUERY}'), 0),
             coalesce(sum(input_rows) FILTER (WHERE query_name = '{tables.REFINE_QUERY}'), 0))
FROM pipeline_metrics
"""


@contextmanager
def running_stream(world: World, folder: Path) -> Iterator[subprocess.Popen[bytes]]:
    """The world's stream running until the block ends (its output in ``folder/stream.log``)."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "stream.log").open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "upi.cli", "stream"], env={**os.environ, **world.env},
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
    try:
        yield process
    finally:
        stop_group(process, sig=signal.SIGINT)  # Ctrl-C: the stream stops its queries


def check_running(process: subprocess.Popen[bytes], folder: Path) -> None:
    """Fail the benchmark when the stream died."""
    if process.poll() is not None:
        raise AssertionError(f"the stream exited ({process.returncode}); see {folder / 'stream.log'}")


def wait_for_stream(
    process: subprocess.Popen[bytes],
    folder: Path,
    missing: Callable[[], str | None],
    *,
    timeout: float,
    poll: float = 0.5,
) -> float:
    """Seconds until ``missing()`` says nothing is missing (``None``), the stream staying up meanwhile; fails
    after ``timeout`` with what was still missing."""
    started = time.monotonic()
    while (still := missing()) is not None:
        check_running(process, folder)
        if time.monotonic() - started > timeout:
            raise AssertionError(f"{still} after {timeout:g} s")
        time.sleep(poll)
    return time.monotonic() - started


def backlog(world: World) -> int:
    """Kafka records not yet through both queries: the topic's size minus the smaller of the records each query
    has read (both read the topic side by side)."""
    through = int(postgres(world.settings, RECORDS_THROUGH)[0][0])
    return topic_size(world.settings.kafka_bootstrap, world.settings.kafka_topic) - through


def wait_for_drain(world: World, process: subprocess.Popen[bytes], folder: Path, timeout: float) -> float:
    """Seconds until every record of the topic is through both queries."""

    def missing() -> str | None:
        behind = backlog(world)
        return None if behind <= 0 else f"{behind:,} records still not through the stream"

    return wait_for_stream(process, folder, missing, timeout=timeout, poll=1.0)


def warm_up(
    world: World, process: subprocess.Popen[bytes], folder: Path, mix: TrafficMix, seed: int, timeout: float
) -> None:
    """:data:`WARM_UP_RECORDS` records through both queries first: Spark's start-up stays out of the
    measurement."""
    plan = Plan.of(WARM_UP_RECORDS, 0.0, seed, None, mix, STEADY)
    send_to_kafka(
        plan.factory().records(plan.count), world.settings.kafka_bootstrap, world.settings.kafka_topic
    )
    wait_for_drain(world, process, folder, timeout)


def slope_and_error(samples: Sequence[tuple[float, float]]) -> tuple[float, float]:
    """The least-squares slope of ``(seconds, value)`` samples, value per second, and its standard error:
    a slope of 0 from fewer than two distinct seconds, an infinite error from fewer than three samples."""
    n = len(samples)
    if n < 2:
        return 0.0, math.inf
    mean_t = sum(t for t, _ in samples) / n
    mean_b = sum(b for _, b in samples) / n
    spread = sum((t - mean_t) ** 2 for t, _ in samples)
    if not spread:
        return 0.0, math.inf
    growth = sum((t - mean_t) * (b - mean_b) for t, b in samples) / spread
    if n < 3:
        return growth, math.inf
    residuals = sum((b - mean_b - growth * (t - mean_t)) ** 2 for t, b in samples)
    return growth, math.sqrt(residuals / (n - 2) / spread)


def slope(samples: Sequence[tuple[float, float]]) -> float:
    """Least-squares growth of ``(seconds, value)`` samples: value per second (0 for fewer than two)."""
    return slope_and_error(samples)[0]


BATCH_PROFILE = (Path(__file__).resolve().parent / "sql" / "batch_profile.sql").read_text(encoding="utf-8")


def batch_profile(world: World) -> dict[str, dict[str, float]]:
    """Where each query's micro-batches spent their time (Spark's progress reports), on average; the refine
    query's also within ``addBatch``: computing the batch, all writes, the Postgres upsert, the silver append."""
    fields = ("input_rows", "duration_ms", "add_batch_ms", "latest_offset_ms", "query_planning_ms",
              "checkpoint_commits_ms", "compute_ms", "writes_ms", "postgres_ms", "silver_ms")  # fmt: skip
    return {
        str(name): {
            "batches": int(batches),
            **{f: float(v) for f, v in zip(fields, values, strict=True) if v is not None},
        }
        for name, batches, *values in postgres(world.settings, BATCH_PROFILE)
    }
