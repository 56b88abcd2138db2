"""``docs/benchmarks.md`` from the JSON results under ``benchmarks/results/``.

Example::

    >>> render_report(RESULTS_DIR, Path("docs/benchmarks.md"))   # doctest: +SKIP
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.freshness import described_growth
from benchmarks.gold import PENDING_FIRST_PERCENT
from benchmarks.results import RESULTS_DIR
from benchmarks.sustained import MIX, SPARK_JVM, TARGET

MiB = 1024 * 1024


def _sink(r: dict[str, Any]) -> list[str]:
    stream, sink, bare, rows = r["stream"], r["sink"], r["bare_copy_upsert"], r["executemany_20"]
    steady = stream["events_per_second_after_first_batch"]
    return [
        f"{r['records']:,} records (4 % redeliveries, 2 % invalid) drained by `upi stream --available-now` in "
        f"micro-batches of {r['batch_records']:,}; {r['postgres_rows']:,} rows end in Postgres.",
        "",
        "| measure | rows/s | ratio |",
        "|---|---:|---:|",
        f"| `upi stream` end to end, all batches | {stream['events_per_second']:,.0f} | |",
        f"| `upi stream` end to end, after each query's first batch (the slower query) | "
        f"{'n/a (a query ran one batch)' if steady is None else f'{steady:,.0f}'} | |",
        f"| its Postgres sink (time inside its transactions) | {sink['rows_per_second']:,.0f} | "
        f"{r['ratios']['sink_vs_bare_copy_upsert']:.0%} of bare COPY-upsert |",
        f"| bare COPY-upsert of the same rows, same batches | {bare['rows_per_second']:,.0f} | 100% |",
        f"| executemany, 20 rows a transaction ({rows['rows']:,} rows) | {rows['rows_per_second']:,.0f} | "
        f"sink = {r['ratios']['sink_vs_executemany_20']:.1f}× this |",
        "",
        f"Wall time of the stream run including Spark start-up: {stream['wall_seconds_with_startup']:.0f} s.",
    ]


def _soak(r: dict[str, Any]) -> list[str]:
    growth = r["steady_growth"]

    def pct(key: str) -> str:
        return "n/a (run shorter than the fill)" if growth[key] is None else f"{growth[key]:+.1%}"

    return [
        f"{r['rate']:,} events/s for {r['minutes']:g} minutes (watermark {r['watermark_delay']}); "
        f"{r['records_read']:,} of {r['records_sent']:,} records read. Each dedup key lives about two watermark "
        f"delays, so the state fills for {r['fill_seconds'] / 60:g} minutes towards rate × 2 × delay = "
        f"{r['expected_state_rows']:,} keys, then should stay flat. "
        f"State **{'bounded' if r['bounded'] else 'NOT bounded'}** (steady part: second half vs first half).",
        "",
        "| measure | max | steady part, second half vs first |",
        "|---|---:|---:|",
        f"| dedup state keys | {r['max_state_rows']:,} | {pct('state_rows')} |",
        f"| state store memory | {r['max_state_memory_bytes'] / MiB:,.1f} MiB | {pct('state_memory_bytes')} |",
        f"| JVM resident memory | {r['max_jvm_rss_bytes'] / MiB:,.0f} MiB | {pct('jvm_rss_bytes')} |",
        f"| Python driver resident memory | {r['max_driver_rss_bytes'] / MiB:,.0f} MiB | |",
        f"| Kafka lag | {r['max_kafka_lag']:,} records | |",
    ]


def _gold(r: dict[str, Any]) -> list[str]:
    lines = [
        "A synthetic IST day in silver (one state per transaction, plus an earlier PENDING state for "
        f"{PENDING_FIRST_PERCENT} % of the resolved ones), built, gated and published by the gold job. Baseline, "
        "same run and day: the day's silver read and shuffled by `txn_id`, written nowhere (the least a job keeping "
        "one state per transaction does); it makes runs on a faster or slower day of this machine comparable.",
        "",
        "| transactions in the day | wall time | of which Great Expectations | share | baseline | vs baseline |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for day in r["days"]:
        lines.append(
            f"| {day['rows']:,} | {day['seconds']:.1f} s | {day['great_expectations_seconds']:.1f} s | "
            f"{day['great_expectations_share']:.0%} | {day['baseline_seconds']:.1f} s | {day['vs_baseline']:.1f}× |"
        )
    timed = [day for day in r["days"] if day.get("steps")]
    if timed:
        steps = [day["steps"] for day in timed]
        sizes = [f"{day['rows']:,}" for day in timed]
        lines += ["", "Where the gold job's wall time went, step by step (seconds):", ""]
        lines += [f"| step | {' | '.join(sizes)} |", "|---|" + "---:|" * len(sizes)]
        lines += [
            f"| {name} | {' | '.join(f'{each.get(name, 0.0):.1f}' for each in steps)} |"
            for name in dict.fromkeys(name for each in steps for name in each)
        ]
    for day in r["days"]:
        stages = day.get("slowest_stages") or []
        if stages:
            lines += ["", f"Slowest Spark stages of the {day['rows']:,}-transaction day:", ""]
            lines += [
                "| stage | seconds | tasks | rows read | shuffle rows read / written |",
                "|---|---:|---:|---:|---:|",
            ]
            lines += [
                f"| {s['stage']}: {s['name']} | {s['seconds']:.1f} | {s['tasks']} | {s['input_records']:,} | "
                f"{s['shuffle_read_records']:,} / {s['shuffle_write_records']:,} |"
                for s in stages[:5]
            ]
    return lines


def _panels(r: dict[str, Any]) -> list[str]:
    lines = [
        f"{r['transactions']:,} transactions over {r['days']} days (plus those days' pipeline metrics, the sink "
        f"ledger, {r['transactions'] // 200:,} quarantined records and gold), every panel run {r['repeats']} times "
        "as the read-only role `upi_grafana`; median times. Baseline, same run: `SELECT count(*)` over the "
        f"transactions table, {r['baseline_seconds'] * 1000:,.0f} ms.",
        "",
        "| range | slowest panel | rows | median | first run | vs baseline |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for name, label in (
        ("default_range", "each dashboard's default"),
        ("whole_range", f"all {r['days']} days"),
    ):
        t = r["slowest"][name]
        lines.append(
            f"| {label} | `{t['panel']}` | {t['rows']:,} | {t['median_seconds'] * 1000:,.0f} ms | "
            f"{t['first_seconds'] * 1000:,.0f} ms | {r['ratios'][name]:.2f}× |"
        )
    return lines


def _generator(r: dict[str, Any]) -> list[str]:
    rows = (("building records only (baseline)", "build_only"), ("one process → Kafka", "one_process"),
            ("`--workers 2` → Kafka", "two_workers"))  # fmt: skip
    ratios = r["ratios"]
    return [
        f"{r['records']:,} records of the `steady` profile (2 % redeliveries, 1 % invalid) per run, into a fresh "
        f"topic of {r['partitions']} partitions, acks=all + idempotence + zstd; only acknowledged records count.",
        "",
        "| run | events/s |",
        "|---|---:|",
        *(f"| {label} | {r[key]['events_per_second']:,.0f} |" for label, key in rows),
        "",
        f"One process reaches {ratios['one_process_vs_build_only']:.0%} of the build-only rate and "
        f"{ratios['one_process_vs_target']:.0%} of the 50,000/s target; two workers give "
        f"{ratios['two_workers_vs_one_process']:.2f}× one process.",
    ]


def _stream_cpu(run: dict[str, Any]) -> str:
    """The stream's cores and JIT share, as two cells; blank for a result measured before they were."""
    if "stream_cores" not in run:
        return " | "
    return f"{run['stream_cores']:.2f} cores | {run['jit_share_of_stream_cpu']:.0%}"


def _bronze_every(r: dict[str, Any]) -> str:
    """How often the run wrote bronze, when not at the trigger; blank for a result measured before."""
    every = r.get("bronze_trigger_seconds")
    return f" (bronze every {every} s)" if every and every != r["trigger_seconds"] else ""


def _growth(run: dict[str, Any]) -> str:
    """The run's freshness growth and verdict, as one cell; blank for a result measured before it was."""
    described = described_growth(run) or ""
    return described.replace("falls behind", "**falls behind**")


def _freshness(r: dict[str, Any]) -> list[str]:
    lines = [
        f"`upi stream` with a {r['trigger_seconds']} s trigger{_bronze_every(r)}; {r['seconds_per_rate']:g} s of "
        "traffic paced at each "
        f"rate, event times on the wall clock; rows of the first {r['warmup_seconds']:g} s left out. Freshness = "
        "the sink transaction's start − event time (visible at commit: add the sink's write time). Growth = "
        "seconds of freshness gained per second of traffic (least-squares slope of the p50 of each "
        f"{r.get('slot_seconds', 5):g} s of event time, second half of the run, ± its standard error); the "
        f"stream keeps up when it is at most {r.get('tolerance', 0.02):.2f} s/s by two errors, falls behind when "
        "above by two (then the percentiles only grow with the run's length), and the run cannot tell otherwise. "
        "Stream CPU = "
        "cores the stream's JVM used from the first paced record to the last row in Postgres; JIT = the share of "
        "that CPU its compiler threads took (a new JVM compiles Spark's own code for minutes).",
        "",
        "| rate | sent/s | p50 | p95 | p99 | max | p99 / trigger | growth | max Kafka lag | sink write p50 "
        "| drain | stream CPU | JIT |",
        "|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    for run in r["runs"]:
        lines.append(
            f"| {run['rate']:,}/s | {run['sent_per_second']:,.0f} | {run['p50_seconds']:.2f} s | "
            f"{run['p95_seconds']:.2f} s | {run['p99_seconds']:.2f} s | {run['max_seconds']:.1f} s | "
            f"{run['p99_seconds'] / r['trigger_seconds']:.1f}× | {_growth(run)} | {run['max_kafka_lag']:,} | "
            f"{run['sink_write_ms_p50'] or 0:,.0f} ms | {run['drain_seconds_after_last_send']:.0f} s | "
            f"{_stream_cpu(run)} |"
        )
    profiles = [
        (f"{run['rate']:,}/s {name}", profile)
        for run in r["runs"]
        for name, profile in (run.get("batch_profile") or {}).items()
    ]
    return lines + _batch_profile("each rate's run", profiles)


def _sustained(r: dict[str, Any]) -> list[str]:
    def run_row(label: str, run: dict[str, Any]) -> str:
        return (
            f"| {label} {run['rate']:,}/s | {run['sent_per_second']:,.0f} | "
            f"{run['backlog_growth_per_second']:+,.0f}/s ({run['growth_share_of_rate']:+.1%}) | "
            f"{run['max_backlog']:,} | {run['drain_seconds']:.0f} s | {'holds' if run['holds'] else '**grows**'} |"
        )

    ratios, sustained = r["ratios"], r["sustained_events_per_second"]
    return [
        f"`upi stream` (trigger {r['trigger_seconds']} s, at most {r['max_offsets_per_trigger']:,} records a "
        f"batch, lake on `{r['lake']}`), `steady` traffic with {MIX.duplicate_rate:.0%} redeliveries, "
        f"{MIX.invalid_rate:.0%} invalid, {MIX.pending_rate:.0%} PENDING{_built_first(r)}. "
        "Backlog = Kafka records not yet through both queries. A rate holds when the backlog grows by less than "
        f"{r['tolerance']:.0%} of the input (least-squares slope; probes: second half of "
        f"{r['probe_seconds']:g} s; sustained: after the first minute of {r['sustain_seconds'] / 60:g} min).",
        "",
        "| run | sent/s | backlog growth | max backlog | drain after | verdict |",
        "|---|---:|---:|---:|---:|---|",
        *(run_row("probe", run) for run in r["search"]),
        *(run_row(f"{r['sustain_seconds'] / 60:g} min", run) for run in r["sustain"]),
        "",
        "| measure (same run) | rows/s | ratio |",
        "|---|---:|---:|",
        f"| `upi stream` sustained, end to end | {sustained:,.0f} | {ratios['sustained_vs_target_25k']:.0%} of the "
        f"{TARGET:,}/s target; {ratios['sustained_vs_bare_copy_upsert']:.0%} of bare COPY-upsert |",
        f"| its Postgres sink (time inside its transactions, the batch's Delta appends running beside them) | "
        f"{r['sink']['rows_per_second']:,.0f} | "
        f"{ratios['sink_vs_bare_copy_upsert']:.0%} of bare COPY-upsert |",
        f"| bare COPY-upsert of the same rows, same batches | {r['bare_copy_upsert']['rows_per_second']:,.0f} | "
        "100% |",
        f"| executemany, 20 rows a transaction ({r['executemany_20']['rows']:,} rows) | "
        f"{r['executemany_20']['rows_per_second']:,.0f} | sink = {ratios['sink_vs_executemany_20']:.1f}× this |",
        *_cpu_budget(r),
        *_batch_profile("the sustained run", list((r.get("batch_profile") or {}).items())),
    ]


def _built_first(r: dict[str, Any]) -> str:
    """How the run's records were made, when the result says."""
    if "records_built_before_sending" not in r:
        return ""
    if r["records_built_before_sending"]:
        return ", each run's records built before it and only sent during it (producers run elsewhere)"
    return ", each run's records built while they were sent, on the same cores"


def _cpu_budget(r: dict[str, Any]) -> list[str]:
    """µs of CPU per Kafka record of each process in each run, and what the machine's cores could carry."""
    minutes = f"{r['sustain_seconds'] / 60:g} min"
    labelled = [(f"probe {run['rate']:,}/s", run) for run in r["search"]]
    labelled += [(f"{minutes} {run['rate']:,}/s", run) for run in r["sustain"]]
    runs = [(label, run["cpu"]) for label, run in labelled if "cpu" in run]
    if not runs:
        return []
    last = runs[-1][1]
    processes = list(dict.fromkeys(name for _, cpu in runs for name in cpu["by_process"]))

    def row(label: str, cell: Callable[[dict[str, Any]], str]) -> str:
        return f"| {label} | {' | '.join(cell(cpu) for _, cpu in runs)} |"

    def us(name: str) -> Callable[[dict[str, Any]], str]:
        return lambda cpu: f"{cpu['by_process'].get(name, {}).get('us_per_event', 0.0):,.0f}"

    def carried(cpu: dict[str, Any]) -> str:
        return f"{cpu['events_per_second_if_all_cores_busy'] or 0:,.0f}"

    cores, need = last["machine_cores"], last["machine_cores"] / TARGET * 1e6
    jvm = last["by_process"].get(SPARK_JVM, {})
    jit = last.get("spark_jit_seconds", 0.0) / jvm["cpu_seconds"] if jvm.get("cpu_seconds") else 0.0
    return [
        "",
        "CPU of each run, from its first record sent until every record was through both queries, in µs per "
        "Kafka record: each process with everything it started (Postgres's backends too); the rest is the "
        "machine's other busy time. Stolen = time the hypervisor gave this virtual machine's cores to others.",
        "",
        f"| µs of CPU per record | {' | '.join(label for label, _ in runs)} |",
        "|---|" + "---:|" * len(runs),
        *(row(name, us(name)) for name in processes),
        row("**machine busy**", lambda cpu: f"**{cpu['busy_us_per_event']:,.0f}**"),
        row(
            "busy / stolen / idle cores",
            lambda cpu: f"{cpu['busy_cores']:.2f} / {cpu['steal_cores']:.2f} / {cpu['idle_cores']:.2f}",
        ),
        row(f"records/s {cores} busy cores carry at this cost", carried),
        "",
        f"{TARGET:,} records/s on {cores} cores leaves {need:,.0f} µs of CPU per record, everything included; the "
        f"{minutes} run spent {last['busy_us_per_event']:,.0f} µs "
        f"({last['busy_us_per_event'] / need:.1f}× that), {jvm.get('us_per_event', 0.0):,.0f} µs of it in the "
        f"Spark JVM ({jit:.0%} of the JVM's in its JIT compiler).",
    ]


def _batch_profile(of: str, profiles: list[tuple[str, dict[str, float]]]) -> list[str]:
    """A table of where micro-batches spent their time: one row per ``(label, profile)``."""
    if not profiles:
        return []
    lines = [
        "",
        f"Where the micro-batches of {of} spent their time (averages of Spark's progress reports). Within "
        "`addBatch`, the refine batch is first computed whole (read from Kafka, validated, deduplicated, cached), "
        "then written: Postgres upsert, silver append and both quarantine writes at once.",
        "",
        "| query | batches | rows a batch | batch | in foreachBatch (addBatch) | computing the batch | writes "
        "(at once) | Postgres upsert | silver append | offsets + planning | checkpoint |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, q in profiles:
        phases = " | ".join(_ms(q.get(f)) for f in ("compute_ms", "writes_ms", "postgres_ms", "silver_ms"))
        lines.append(
            f"| {label} | {q['batches']:,} | {q['input_rows']:,.0f} | {q['duration_ms']:,.0f} ms | "
            f"{q['add_batch_ms']:,.0f} ms | {phases} | {q['latest_offset_ms'] + q['query_planning_ms']:,.0f} ms | "
            f"{q['checkpoint_commits_ms']:,.0f} ms |"
        )
    return lines


def _ms(milliseconds: float | None) -> str:
    return "–" if milliseconds is None else f"{milliseconds:,.0f} ms"


SECTIONS: dict[str, tuple[str, Callable[[dict[str, Any]], list[str]]]] = {
    "sustained": ("End-to-end sustained throughput", _sustained),
    "sink": ("Stream throughput and the Postgres sink", _sink),
    "freshness": ("Freshness: event time to Postgres", _freshness),
    "soak": ("Soak: bounded dedup state", _soak),
    "gold": ("Gold job per day size", _gold),
    "panels": ("Grafana panels' query time", _panels),
    "generator": ("Generator events per second", _generator),
}


@dataclass(frozen=True)
class Target:
    """One target of issue #7 and where its measurement lives in the results."""

    label: str
    goal: float
    higher_is_better: bool
    unit: str
    measured: Callable[[dict[str, dict[str, Any]]], float | None]

    def row(self, results: dict[str, dict[str, Any]]) -> str:
        try:
            value = self.measured(results)
        except (KeyError, StopIteration):
            value = None
        if value is None:
            return f"| {self.label} | not measured | |"
        if self.higher_is_better:
            verdict = (
                "met" if value >= self.goal else f"**missed**: {value / self.goal:.0%} of the target reached"
            )
        else:
            verdict = "met" if value < self.goal else f"**missed**: {value / self.goal:.1f}× the limit"
        shown = f"{value:,.0f}" if value >= 100 else f"{value:,.2f}"
        return f"| {self.label} | {shown}{self.unit} | {verdict} |"


TARGETS = (
    Target(f"end to end, sustained 5 min, ≥ {TARGET:,} events/s", TARGET, True, "/s",
           lambda r: r["sustained"]["sustained_events_per_second"]),
    Target("Postgres sink ≥ 70 % of a bare COPY-upsert, during the sustained run", 0.70, True, "",
           lambda r: r["sustained"]["ratios"]["sink_vs_bare_copy_upsert"]),
    Target("Postgres sink ≥ 10× executemany in batches of 20, during the sustained run", 10.0, True, "×",
           lambda r: r["sustained"]["ratios"]["sink_vs_executemany_20"]),
    Target("Postgres sink ≥ 70 % of a bare COPY-upsert, draining 200k records", 0.70, True, "",
           lambda r: r["sink"]["ratios"]["sink_vs_bare_copy_upsert"]),
    Target("Postgres sink ≥ 10× executemany in batches of 20, draining 200k records", 10.0, True, "×",
           lambda r: r["sink"]["ratios"]["sink_vs_executemany_20"]),
    Target("freshness p99 < 2 s at 10,000 events/s", 2.0, False, " s",
           lambda r: next(x["p99_seconds"] for x in r["freshness"]["runs"] if x["rate"] == 10_000)),
    Target("gold for a 10M-transaction day < 60 s", 60.0, False, " s",
           lambda r: next(d["seconds"] for d in r["gold"]["days"] if d["rows"] == 10_000_000)),
    Target("generator, one process, ≥ 50,000 events/s", 50_000, True, "/s",
           lambda r: r["generator"]["one_process"]["events_per_second"]),
)  # fmt: skip


def _targets(results: dict[str, dict[str, Any]]) -> list[str]:
    return [
        "",
        "## Targets on this 2-core machine",
        "",
        "Each section below says where the time goes; a missed target is reported as the share of it reached.",
        "",
        "| target | measured | verdict |",
        "|---|---:|---|",
        *(target.row(results) for target in TARGETS),
    ]


def render_report(results: Path = RESULTS_DIR, out: Path | None = None) -> str:
    """The markdown report of every result in ``results``; written to ``out`` when given."""
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`python -m benchmarks`). Each benchmark measures its baseline in the same run;",
        "this machine is shared and noisy, so compare ratios, not absolute numbers.",
    ]
    loaded = {
        name: json.loads((results / f"{name}.json").read_text())
        for name in SECTIONS
        if (results / f"{name}.json").exists()
    }
    lines += _targets(loaded)
    for name, result in loaded.items():
        title, render = SECTIONS[name]
        lines += ["", f"## {title}", "", *render(result), ""]
        lines.append(
            f"Measured {result['measured_at']} at commit `{result['commit']}` on {result['cpus']} CPUs. "
            f"Plot: `benchmarks/results/{name}.png`; data: `benchmarks/results/{name}.json`."
        )
    text = "\n".join(lines) + "\n"
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
    return text
