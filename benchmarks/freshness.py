"""Freshness: event time → row in Postgres, p50 / p95 / p99, at fixed input rates.

For each rate, a fresh world runs ``upi stream`` (trigger ``trigger_seconds``; bronze, which may trail Postgres,
every ``bronze_trigger_seconds``); one warm-up record goes through
first (Spark start-up stays out of the figures, not the JIT: two minutes in, it still compiles Spark's own code
with half a core of this 2-core machine); then the generator sends ``seconds`` of traffic paced at
the rate, event times on the wall clock (the steady profile without its day shape, no PENDING so that every
transaction has one state). Freshness of a row is ``updated_at − event_time``: the start of the sink
transaction that wrote it, minus the event's time (the row becomes visible at the transaction's commit, later
by the sink's write time, reported beside). Rows whose event time falls in the first ``warmup_seconds`` are
left out. The baseline, measured in the same run at each rate, is the trigger interval itself: a row cannot be
fresher than the wait for its micro-batch.

Percentiles over a run mean little if the stream falls behind the rate: freshness then grows for as long as
the traffic lasts. So each run also has its freshness over time (p50 and p99 per ``slot_seconds`` of event
time) and its *growth*: the least-squares slope of the slots' p50 over the run's second half, in seconds of
delay gained per second of traffic (the backlog's growth as a share of the rate, as the sustained benchmark
judges it), with its standard error: a stream whose batches take several seconds makes a saw of the p50s. The
stream *keeps up* when the growth is at most ``tolerance`` by two standard errors, *falls behind* when it is
above by two, and the run cannot tell otherwise.

Beside the percentiles: where each query's micro-batches spent their time
(:func:`benchmarks.streaming.batch_profile`), the CPU the stream's JVM spent from the first paced record to
the last row in Postgres, in cores, and the JIT compiler's share of it (:func:`benchmarks.jvm.jvm_cpu`).

Run it with ``python -m benchmarks freshness --rate 1000 --rate 5000 --rate 10000``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from benchmarks.jvm import jvm_cpu
from benchmarks.results import titled
from benchmarks.sink import clean_rows
from benchmarks.streaming import batch_profile, running_stream, slope_and_error, wait_for_stream
from generator.events import Record, TrafficMix
from generator.producer import send_to_kafka
from generator.profiles import STEADY
from generator.workers import Plan
from tests.integration.expected import postgres
from tests.integration.world import World, make_world
from upi.settings import Settings

MIX = TrafficMix(pending_rate=0.0)
FRESHNESS = """
SELECT percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY extract(epoch FROM updated_at - event_time)),
       max(extract(epoch FROM updated_at - event_time)), count(*)
FROM clean_upi_transactions WHERE event_time >= %s
"""
SECONDS_BUCKETS = """
SELECT width_bucket(extract(epoch FROM updated_at - event_time), 0, 30, 60), count(*)
FROM clean_upi_transactions WHERE event_time >= %s GROUP BY 1 ORDER BY 1
"""
OVER_TIME = """
SELECT floor(extract(epoch FROM event_time - %s) / %s)::int,
       percentile_cont(ARRAY[0.5, 0.99]) WITHIN GROUP (ORDER BY extract(epoch FROM updated_at - event_time)),
       count(*)
FROM clean_upi_transactions WHERE event_time >= %s GROUP BY 1 ORDER BY 1
"""
SINK_WRITE_MS = (
    "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY write_ms) FROM sink_batches"
    " WHERE target = 'clean_upi_transactions' AND rows_in > 0"
)
MAX_LAG = "SELECT coalesce(max(kafka_lag_max), 0) FROM pipeline_metrics WHERE batch_time >= %s"


@dataclass(frozen=True)
class FreshnessBenchmark:
    rates: tuple[int, ...] = (1_000, 5_000, 10_000)
    seconds: float = 120.0
    warmup_seconds: float = 10.0
    slot_seconds: float = 5.0
    tolerance: float = 0.02
    trigger_seconds: int = 1
    bronze_trigger_seconds: int = 10
    drain_timeout_seconds: float = 600.0


def _wait_for_rows(world: World, rows: int, timeout: float, process: Any, folder: Path) -> float:
    """Seconds until Postgres holds ``rows`` transactions; fails after ``timeout``."""

    def missing() -> str | None:
        found = clean_rows(world.settings.dsn)
        return None if found >= rows else f"{found:,} of {rows:,} transactions in Postgres"

    return wait_for_stream(process, folder, missing, timeout=timeout)


def _counting(records: Iterator[Record], txn_ids: set[str]) -> Iterator[Record]:
    for record in records:
        if record.txn_id is not None:
            txn_ids.add(record.txn_id)
        yield record


def over_time(world: World, start: datetime, slot_seconds: float) -> list[dict[str, float]]:
    """Freshness p50 and p99 per ``slot_seconds`` of event time from ``start`` (each slot at its middle), from
    ``start``'s millisecond: event times carry milliseconds, so the first event may lie before ``start``."""
    start = start.replace(microsecond=start.microsecond // 1000 * 1000)
    rows = postgres(world.settings, OVER_TIME, (start, slot_seconds, start))
    return [
        {"second": (slot + 0.5) * slot_seconds, "p50_seconds": p[0], "p99_seconds": p[1], "rows": int(n)}
        for slot, p, n in rows
    ]


@dataclass(frozen=True)
class Growth:
    """Seconds of freshness gained per second of traffic, and the standard error of that slope."""

    per_second: float
    error: float

    def verdict(self, tolerance: float) -> str:
        """Whether the growth is within ``tolerance`` by two errors: "keeps up", "falls behind" or "unclear"."""
        if self.per_second + 2 * self.error <= tolerance:
            return "keeps up"
        if self.per_second - 2 * self.error > tolerance:
            return "falls behind"
        return "unclear"


def freshness_growth(slots: list[dict[str, float]], seconds: float) -> Growth:
    """The least-squares slope of the slots' p50 over the second half of a run of ``seconds`` (0 when the
    stream keeps pace; towards 1 − capacity / rate when it falls behind), ± its standard error (infinite
    with fewer than three slots)."""
    points = [(s["second"], s["p50_seconds"]) for s in slots if seconds / 2 <= s["second"] <= seconds]
    return Growth(*slope_and_error(points))


def _one_rate(stack: Settings, config: FreshnessBenchmark, rate: int, folder: Path) -> dict[str, Any]:
    env = {
        "UPI_TRIGGER_SECONDS": str(config.trigger_seconds),
        "UPI_BRONZE_TRIGGER_SECONDS": str(config.bronze_trigger_seconds),
        "UPI_STARTING_OFFSETS": "earliest",
    }
    world = make_world(stack, "file", folder, env=env)
    warmup_ids: set[str] = set()
    warmup = _counting(Plan.of(1, 1.0, rate + 1_000_003, None, MIX, STEADY).factory().records(1), warmup_ids)
    with running_stream(world, folder) as process:
        send_to_kafka(warmup, world.settings.kafka_bootstrap, world.settings.kafka_topic)
        _wait_for_rows(world, 1, config.drain_timeout_seconds, process, folder)
        cpu_before, clock_before = jvm_cpu(process.pid), time.monotonic()
        plan = Plan.of(int(rate * config.seconds), float(rate), rate, None, MIX, STEADY)
        start = plan.start
        txn_ids: set[str] = set()
        records = _counting(plan.factory().records(plan.count), txn_ids)
        sent = send_to_kafka(records, world.settings.kafka_bootstrap, world.settings.kafka_topic, rate=rate)
        expected = len(txn_ids | warmup_ids)
        drain = _wait_for_rows(world, expected, config.drain_timeout_seconds, process, folder)
        cpu, clock = jvm_cpu(process.pid) - cpu_before, time.monotonic() - clock_before
    since = start + timedelta(seconds=config.warmup_seconds)
    slots = over_time(world, start, config.slot_seconds)
    growth = freshness_growth(slots, config.seconds)
    (percentiles, worst, rows), = postgres(world.settings, FRESHNESS, (since,))  # fmt: skip
    return {
        "rate": rate,
        "sent_per_second": sent.events_per_second,
        "transactions": len(txn_ids),
        "rows_measured": rows,
        "p50_seconds": percentiles[0],
        "p95_seconds": percentiles[1],
        "p99_seconds": percentiles[2],
        "max_seconds": float(worst),
        "drain_seconds_after_last_send": drain,
        "stream_cpu_seconds": cpu.total_seconds,
        "stream_cores": cpu.total_seconds / clock,
        "jit_share_of_stream_cpu": cpu.jit_share,
        "max_kafka_lag": int(postgres(world.settings, MAX_LAG, (start,))[0][0]),
        "sink_write_ms_p50": postgres(world.settings, SINK_WRITE_MS)[0][0],
        "freshness_growth": growth.per_second,
        "freshness_growth_error": growth.error if math.isfinite(growth.error) else None,  # JSON has no inf
        "verdict": growth.verdict(config.tolerance),
        "over_time": slots,
        "batch_profile": batch_profile(world),
        "histogram": [
            (int(bucket), int(n)) for bucket, n in postgres(world.settings, SECONDS_BUCKETS, (since,))
        ],
    }


def _figure(result: dict[str, Any]) -> Figure:
    figure = Figure(figsize=(13, 4.5), layout="constrained")
    shares, timeline = figure.subplots(1, 2)
    for run in result["runs"]:
        total = sum(n for _, n in run["histogram"]) or 1
        seconds = [min(bucket, 61) * 0.5 for bucket, _ in run["histogram"]]
        label = f"{run['rate']:,}/s: p50 {run['p50_seconds']:.1f} s, p99 {run['p99_seconds']:.1f} s"
        shares.step(seconds, [n / total for _, n in run["histogram"]], where="post", label=label)
        slots, growth = run.get("over_time", []), described_growth(run) or "growth not measured"
        drawn = timeline.plot([s["second"] for s in slots], [s["p99_seconds"] for s in slots],
                              label=f"{run['rate']:,}/s p99 ({growth})")  # fmt: skip
        timeline.plot([s["second"] for s in slots], [s["p50_seconds"] for s in slots], linestyle="--",
                      linewidth=1, color=drawn[0].get_color(), label=f"{run['rate']:,}/s p50")  # fmt: skip
    shares.axvline(2.0, color="grey", linestyle="--", label="target p99 < 2 s at 10k/s")
    shares.set_xlabel("event time → Postgres, seconds (0.5 s buckets; 30 s = 30 s or more)")
    shares.set_ylabel("share of rows")
    timeline.axhline(2.0, color="grey", linestyle="--")
    timeline.set_xlabel(
        f"event time, seconds since the paced traffic began ({result.get('slot_seconds', 5):g} s slots)"
    )
    timeline.set_ylabel("event time → Postgres, seconds")
    for ax in (shares, timeline):
        ax.legend(fontsize=8)
    return titled(figure, f"Freshness at fixed rates, trigger {result['trigger_seconds']} s")


def described_growth(run: dict[str, Any]) -> str | None:
    """A run's growth, its error and its verdict, e.g. "+0.176 ± 0.067 s/s, falls behind"; None for a result
    measured before growth was."""
    if "freshness_growth" not in run:
        return None
    error = run["freshness_growth_error"]
    return (
        f"{run['freshness_growth']:+.3f} ± {'?' if error is None else f'{error:.3f}'} s/s, {run['verdict']}"
    )


def run_freshness_benchmark(
    stack: Settings, config: FreshnessBenchmark, folder: Path
) -> tuple[dict[str, Any], Figure]:
    """Freshness percentiles at each rate, smallest first; return the result and its plot."""
    runs = [_one_rate(stack, config, rate, folder / f"rate-{rate}") for rate in sorted(config.rates)]
    result = {
        "trigger_seconds": config.trigger_seconds,
        "bronze_trigger_seconds": config.bronze_trigger_seconds,
        "seconds_per_rate": config.seconds,
        "warmup_seconds": config.warmup_seconds,
        "slot_seconds": config.slot_seconds,
        "tolerance": config.tolerance,
        "runs": runs,
        "ratios": {f"p99_vs_trigger_at_{r['rate']}": r["p99_seconds"] / config.trigger_seconds for r in runs},
    }
    return result, _figure(result)
