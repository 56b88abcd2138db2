"""Events per second of the generator: building records alone (the baseline, same run), one process producing
to the local Kafka, and ``--workers 2``.

Each run sends ``records`` records of the ``steady`` profile (2 % redeliveries, 1 % invalid) to a fresh topic
with the project's producer settings (acks=all, idempotence, zstd, 256 KiB batches, linger 20 ms), as
``upi generate`` does, and counts only acknowledged records.

Run it with ``python -m benchmarks generator --records 1000000``.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from matplotlib.figure import Figure

from benchmarks.results import titled
from generator.events import TrafficMix
from generator.producer import send_to_kafka
from generator.profiles import STEADY
from generator.workers import Plan, send_with_workers
from upi.kafka_admin import ensure_topic
from upi.settings import Settings

MIX = TrafficMix(duplicate_rate=0.02, invalid_rate=0.01)
TARGET = 50_000  # events/s of one process (issue #7)


@dataclass(frozen=True)
class GeneratorBenchmark:
    records: int = 1_000_000
    partitions: int = 4


def _plan(records: int) -> Plan:
    return Plan(records, 0.0, 7, datetime.now(UTC), MIX, STEADY)


def _build_only(records: int) -> dict[str, Any]:
    started = time.perf_counter()
    built = sum(1 for _ in _plan(records).factory().records(records))
    seconds = time.perf_counter() - started
    return {"records": built, "seconds": seconds, "events_per_second": built / seconds}


def _to_kafka(stack: Settings, records: int, partitions: int, workers: int) -> dict[str, Any]:
    topic = f"upi_bench_generator_{uuid.uuid4().hex[:8]}"
    ensure_topic(stack.kafka_bootstrap, topic, partitions)
    plan = _plan(records)
    if workers == 1:
        summary = send_to_kafka(plan.factory().records(records), stack.kafka_bootstrap, topic)
    else:
        summary = send_with_workers(plan, stack.kafka_bootstrap, topic, workers)
    if (summary.acked, summary.errors) != (records, 0):
        raise RuntimeError(f"Kafka acknowledged {summary.acked} of {records}: {summary.first_error}")
    return {"workers": workers, "records": summary.acked, "seconds": summary.seconds,
            "events_per_second": summary.acked / summary.seconds}  # fmt: skip


def _figure(result: dict[str, Any]) -> Figure:
    figure = Figure(figsize=(8, 4), layout="constrained")
    ax = figure.add_subplot()
    labels = ["build only (baseline)", "1 process → Kafka", "2 workers → Kafka"]
    values = [result["build_only"]["events_per_second"], result["one_process"]["events_per_second"],
              result["two_workers"]["events_per_second"]]  # fmt: skip
    ax.barh(labels, values)
    ax.axvline(TARGET, color="grey", linestyle="--", label=f"target {TARGET:,}/s (one process)")
    ax.invert_yaxis()
    ax.set_xlabel("events per second")
    ax.legend(fontsize=8)
    return titled(figure, f"Generator, {result['records']:,} records of the steady profile")


def run_generator_benchmark(stack: Settings, config: GeneratorBenchmark) -> tuple[dict[str, Any], Figure]:
    """Build-only baseline, one producer process, two workers; return the result and its plot."""
    result: dict[str, Any] = {
        "records": config.records,
        "partitions": config.partitions,
        "build_only": _build_only(config.records),
        "one_process": _to_kafka(stack, config.records, config.partitions, 1),
        "two_workers": _to_kafka(stack, config.records, config.partitions, 2),
    }
    one = result["one_process"]["events_per_second"]
    result["ratios"] = {
        "one_process_vs_build_only": one / result["build_only"]["events_per_second"],
        "two_workers_vs_one_process": result["two_workers"]["events_per_second"] / one,
        "one_process_vs_target": one / TARGET,
    }
    return result, _figure(result)
