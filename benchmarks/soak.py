"""Soak: ``upi stream`` at a fixed input rate for ``minutes``, sampling dedup state and process memory.

``dropDuplicatesWithinWatermark`` keeps a (txn_id, status) key until the watermark (latest arrival minus the
delay) passes the key's arrival plus the delay: each key lives about **two** watermark delays. At a fixed rate
the state should fill for 2 × delay, then stay flat near ``rate × 2 × delay`` keys. The verdict looks at the
steady part of the run (after the fill): bounded when the state keys, the state store's memory and the JVM's
resident memory of its second half are within ``tolerance`` of its first half. Kafka lag is sampled too, to
show the stream kept up with the rate. A thousand records go through the stream before the clock starts, so
Spark's start-up is not part of the run. The run must last well over 2 × delay (30 minutes for 10 minutes).

Run it with ``python -m benchmarks soak --minutes 30 --rate 1000`` (``make soak``).
"""

from __future__ import annotations

import statistics
import subprocess
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil
from matplotlib.figure import Figure

from benchmarks.jvm import started_jvms
from benchmarks.results import titled
from benchmarks.streaming import WARM_UP_RECORDS, check_running, running_stream, warm_up
from generator.events import EventFactory, TrafficMix
from generator.producer import SendSummary, send_to_kafka
from spark_jobs import tables
from tests.integration.expected import postgres
from tests.integration.world import World, make_world
from upi.settings import Settings

SOAK_MIX = TrafficMix(duplicate_rate=0.04, invalid_rate=0.01, pending_rate=0.05)
WARM_UP_TIMEOUT_SECONDS = 600.0

LATEST_STATE = f"""
SELECT state_rows, state_memory_bytes FROM pipeline_metrics
WHERE query_name = '{tables.REFINE_QUERY}' AND state_rows IS NOT NULL ORDER BY batch_time DESC LIMIT 1
"""
LATEST_LAG = f"""
SELECT kafka_lag_max, (SELECT sum(input_rows) FROM pipeline_metrics WHERE query_name = '{tables.REFINE_QUERY}')
FROM pipeline_metrics WHERE query_name = '{tables.REFINE_QUERY}' ORDER BY batch_time DESC LIMIT 1
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


def _rss(pid: int) -> tuple[int, int]:
    """Resident memory of the Python driver and of its JVM (forked Python workers share pages: left out)."""

    def rss_of(process: psutil.Process) -> int:
        try:
            return process.memory_info().rss
        except psutil.NoSuchProcess:
            return 0

    try:
        driver = psutil.Process(pid)
    except psutil.NoSuchProcess:
        return 0, 0
    return rss_of(driver), sum(rss_of(jvm) for jvm in started_jvms(pid))


def _seconds(delay: str) -> float:
    count, unit = delay.split()
    return float(count) * {"second": 1, "minute": 60, "hour": 3600}[unit.rstrip("s")]


def _sample(world: World, pid: int, elapsed: float) -> dict[str, Any]:
    state = postgres(world.settings, LATEST_STATE)
    lag = postgres(world.settings, LATEST_LAG)
    driver_rss, jvm_rss = _rss(pid)
    return {
        "seconds": round(elapsed, 1),
        "state_rows": int(state[0][0]) if state else None,
        "state_memory_bytes": int(state[0][1] or 0) if state else None,
        "kafka_lag": int(lag[0][0]) if lag and lag[0][0] is not None else None,
        "records_read": int(lag[0][1]) if lag and lag[0][1] is not None else 0,
        "driver_rss_bytes": driver_rss,
        "jvm_rss_bytes": jvm_rss,
    }


def _sample_running(
    world: World, process: subprocess.Popen[bytes], elapsed: float, folder: Path
) -> dict[str, Any]:
    check_running(process, folder)
    return _sample(world, process.pid, elapsed)


def steady_growth(samples: list[dict[str, Any]], key: str, fill_seconds: float) -> float | None:
    """Over the samples after ``fill_seconds``: mean of ``key`` in the second half / in the first half, minus 1.
    ``None`` when the run did not last long enough to have a steady part."""
    values = [s[key] for s in samples if s["seconds"] >= fill_seconds and s[key] is not None]
    half = len(values) // 2
    if half < 2:
        return None
    first, second = statistics.fmean(values[:half]), statistics.fmean(values[half:])
    return second / first - 1 if first else None


def _figure(result: dict[str, Any]) -> Figure:
    samples = result["samples"]
    minutes = [s["seconds"] / 60 for s in samples]
    figure = Figure(figsize=(9, 6.5))
    state, memory, lag = figure.subplots(3, 1, sharex=True)
    state.plot(minutes, [s["state_rows"] or 0 for s in samples], color="#4c72b0", label="dedup state keys")
    state.axhline(result["expected_state_rows"], color="grey", linestyle="--", label="rate × 2 × delay")
    state.axvline(result["fill_seconds"] / 60, color="grey", linestyle=":")
    state.set_ylabel("keys")
    state.legend(loc="lower right", fontsize=8)
    memory.plot(
        minutes, [s["state_memory_bytes"] or 0 for s in samples], label="state store", color="#55a868"
    )
    memory.plot(minutes, [s["jvm_rss_bytes"] for s in samples], label="JVM resident", color="#c44e52")
    memory.plot(
        minutes, [s["driver_rss_bytes"] for s in samples], label="Python driver resident", color="#dd8452"
    )
    memory.set_yscale("log")
    memory.set_ylabel("bytes")
    memory.legend(loc="lower right", fontsize=8)
    lag.plot(minutes, [s["kafka_lag"] or 0 for s in samples], color="#8172b2")
    lag.set_ylabel("Kafka lag (records)")
    lag.set_xlabel("minutes")
    return titled(
        figure,
        f"Soak: {result['rate']:,} events/s for {result['minutes']:g} min, watermark {result['watermark_delay']}; "
        f"state {'bounded' if result['bounded'] else 'NOT bounded'}",
    )


def run_soak_benchmark(stack: Settings, config: SoakBenchmark, folder: Path) -> tuple[dict[str, Any], Figure]:
    """Produce at ``config.rate`` for ``config.minutes`` while the stream runs; sample; return result and plot."""
    world = make_world(stack, "file", folder, env={"UPI_WATERMARK_DELAY": config.watermark_delay})
    duration = config.minutes * 60
    sent: list[SendSummary] = []
    samples: list[dict[str, Any]] = []
    with running_stream(world, folder) as process:
        warm_up(world, process, folder, SOAK_MIX, config.seed - 1, WARM_UP_TIMEOUT_SECONDS)
        factory = EventFactory(config.seed, datetime.now(UTC), SOAK_MIX, events_per_second=config.rate)
        records = factory.records(int(config.rate * duration))
        producer = threading.Thread(
            target=lambda: sent.append(
                send_to_kafka(
                    records, world.settings.kafka_bootstrap, world.settings.kafka_topic, rate=config.rate
                )
            ),
            daemon=True,
        )
        started = time.monotonic()
        producer.start()
        while (elapsed := time.monotonic() - started) < duration:
            samples.append(_sample_running(world, process, elapsed, folder))
            time.sleep(config.sample_seconds)
        producer.join()
        samples.append(_sample_running(world, process, time.monotonic() - started, folder))
    fill = 2 * _seconds(config.watermark_delay)
    keys = ("state_rows", "state_memory_bytes", "jvm_rss_bytes")
    growth = {key: steady_growth(samples, key, fill) for key in keys}
    result: dict[str, Any] = {
        "minutes": config.minutes,
        "rate": config.rate,
        "watermark_delay": config.watermark_delay,
        "fill_seconds": fill,
        "expected_state_rows": int(config.rate * fill),
        "records_sent": sent[0].sent if sent else 0,
        "producer_events_per_second": sent[0].events_per_second if sent else 0.0,
        "records_read": samples[-1]["records_read"] - WARM_UP_RECORDS,
        "max_state_rows": max((s["state_rows"] or 0) for s in samples),
        "max_state_memory_bytes": max((s["state_memory_bytes"] or 0) for s in samples),
        "max_jvm_rss_bytes": max(s["jvm_rss_bytes"] for s in samples),
        "max_driver_rss_bytes": max(s["driver_rss_bytes"] for s in samples),
        "max_kafka_lag": max((s["kafka_lag"] or 0) for s in samples),
        "steady_growth": growth,
        "bounded": all(g is not None and g <= config.tolerance for g in growth.values()),
        "samples": samples,
    }
    return result, _figure(result)
