"""Soak: ``upi stream`` at a fixed input rate for ``minutes``, sampling dedup state and process memory.

The dedup state keeps a (txn_id, status) key for one watermark delay of arrival time, so at a fixed rate it
should grow for about one delay and then stay flat; so should the driver's memory. The verdict compares the
last third of the run with the middle third (after the first delay): bounded when neither grew by more than
``tolerance``. Kafka lag is sampled too, to show the stream kept up with the rate.

Run it with ``python -m benchmarks soak --minutes 30 --rate 1000`` (``make soak``).
"""

from __future__ import annotations

import dataclasses
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil
from matplotlib.figure import Figure

from generator.events import EventFactory, TrafficMix
from generator.producer import SendSummary, send_to_kafka
from spark_jobs import tables
from tests.integration.expected import postgres
from tests.integration.world import World, make_world
from upi.settings import Settings

SOAK_MIX = TrafficMix(duplicate_rate=0.04, invalid_rate=0.01, pending_rate=0.05)

LATEST_STATE = f"""
SELECT state_rows, state_memory_bytes FROM pipeline_metrics
WHERE query_name = '{tables.REFINE_QUERY}' AND state_rows IS NOT NULL ORDER BY batch_time DESC LIMIT 1
"""
LATEST_LAG = f"""
SELECT kafka_lag_max, (SELECT sum(input_rows) FROM pipeline_metrics WHERE query_name = '{tables.INGEST_QUERY}')
FROM pipeline_metrics WHERE query_name = '{tables.INGEST_QUERY}' ORDER BY batch_time DESC LIMIT 1
"""


@dataclass(frozen=True)
class SoakBenchmark:
    """The shape of one soak run."""

    minutes: float = 30.0
    rate: int = 1_000
    watermark_delay: str = "10 minutes"
    sample_seconds: float = 15.0
    tolerance: float = 0.10
    seed: int = 11


def _group_rss(pid: int) -> int:
    """Resident memory of a process and its children (the Python driver and its JVM)."""
    try:
        root = psutil.Process(pid)
        return sum(p.memory_info().rss for p in [root, *root.children(recursive=True)])
    except psutil.NoSuchProcess:
        return 0


def _sample(world: World, pid: int, elapsed: float) -> dict[str, Any]:
    state = postgres(world.settings, LATEST_STATE)
    lag = postgres(world.settings, LATEST_LAG)
    return {
        "seconds": round(elapsed, 1),
        "state_rows": int(state[0][0]) if state else None,
        "state_memory_bytes": int(state[0][1] or 0) if state else None,
        "kafka_lag": int(lag[0][0]) if lag and lag[0][0] is not None else None,
        "records_read": int(lag[0][1]) if lag and lag[0][1] is not None else 0,
        "process_rss_bytes": _group_rss(pid),
    }


def _growth(samples: list[dict[str, Any]], key: str) -> float | None:
    """Mean of ``key`` over the last third of the samples / over the middle third, minus 1."""
    values = [s[key] for s in samples if s[key] is not None]
    third = len(values) // 3
    if third == 0:
        return None
    middle, last = statistics.fmean(values[third : 2 * third]), statistics.fmean(values[2 * third :])
    return last / middle - 1 if middle else None


def _figure(result: dict[str, Any]) -> Figure:
    samples = result["samples"]
    minutes = [s["seconds"] / 60 for s in samples]
    figure = Figure(figsize=(9, 6.5))
    state, memory, lag = figure.subplots(3, 1, sharex=True)
    state.plot(minutes, [s["state_rows"] or 0 for s in samples], color="#4c72b0")
    state.set_ylabel("dedup state keys")
    memory.plot(
        minutes, [s["state_memory_bytes"] or 0 for s in samples], label="state store", color="#55a868"
    )
    memory.plot(minutes, [s["process_rss_bytes"] for s in samples], label="driver + JVM RSS", color="#c44e52")
    memory.set_yscale("log")
    memory.set_ylabel("bytes")
    memory.legend(loc="lower right", fontsize=8)
    lag.plot(minutes, [s["kafka_lag"] or 0 for s in samples], color="#8172b2")
    lag.set_ylabel("Kafka lag (records)")
    lag.set_xlabel("minutes")
    figure.suptitle(
        f"Soak: {result['rate']:,} events/s for {result['minutes']:g} min, watermark {result['watermark_delay']}; "
        f"state {'bounded' if result['bounded'] else 'NOT bounded'}",
        fontsize=10,
    )
    return figure


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Ctrl-C the stream (it stops its queries), SIGKILL its group if it has not exited within a minute."""
    os.killpg(process.pid, signal.SIGINT)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def run_soak_benchmark(stack: Settings, config: SoakBenchmark, folder: Path) -> tuple[dict[str, Any], Figure]:
    """Produce at ``config.rate`` for ``config.minutes`` while the stream runs; sample; return result and plot."""
    world = make_world(stack, "file", folder)
    world = dataclasses.replace(world, env={**world.env, "UPI_WATERMARK_DELAY": config.watermark_delay})
    duration = config.minutes * 60
    factory = EventFactory(config.seed, datetime.now(UTC), SOAK_MIX, events_per_second=config.rate)
    records = factory.records(int(config.rate * duration))
    sent: list[SendSummary] = []
    producer = threading.Thread(
        target=lambda: sent.append(
            send_to_kafka(
                records, world.settings.kafka_bootstrap, world.settings.kafka_topic, rate=config.rate
            )
        ),
        daemon=True,
    )
    with (folder / "stream.log").open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "upi.cli", "stream"], env={**os.environ, **world.env},
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
    samples: list[dict[str, Any]] = []
    started = time.monotonic()
    producer.start()
    try:
        while (elapsed := time.monotonic() - started) < duration:
            if process.poll() is not None:
                raise AssertionError(f"the stream exited ({process.returncode}); see {folder / 'stream.log'}")
            samples.append(_sample(world, process.pid, elapsed))
            time.sleep(config.sample_seconds)
        producer.join()
        samples.append(_sample(world, process.pid, time.monotonic() - started))
    finally:
        _stop(process)
    growth = {key: _growth(samples, key) for key in ("state_rows", "state_memory_bytes", "process_rss_bytes")}
    result: dict[str, Any] = {
        "minutes": config.minutes,
        "rate": config.rate,
        "watermark_delay": config.watermark_delay,
        "records_sent": sent[0].sent if sent else 0,
        "producer_events_per_second": sent[0].events_per_second if sent else 0.0,
        "records_read": samples[-1]["records_read"],
        "max_state_rows": max((s["state_rows"] or 0) for s in samples),
        "max_state_memory_bytes": max((s["state_memory_bytes"] or 0) for s in samples),
        "max_process_rss_bytes": max(s["process_rss_bytes"] for s in samples),
        "max_kafka_lag": max((s["kafka_lag"] or 0) for s in samples),
        "growth_last_vs_middle_third": growth,
        "bounded": all(g is not None and g <= config.tolerance for g in growth.values()),
        "samples": samples,
    }
    return result, _figure(result)
