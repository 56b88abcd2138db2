"""Smoke runs of the benchmarks with tiny sizes: they run end to end on the real stack and write their
results; the numbers themselves are not judged here (``make bench`` measures them)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.freshness import FreshnessBenchmark, run_freshness_benchmark
from benchmarks.generator import GeneratorBenchmark, run_generator_benchmark
from benchmarks.gold import GoldBenchmark, run_gold_benchmark
from benchmarks.panels import PanelsBenchmark, run_panels_benchmark
from benchmarks.report import render_report
from benchmarks.results import save_result
from benchmarks.sink import SinkBenchmark, run_sink_benchmark
from benchmarks.soak import SoakBenchmark, run_soak_benchmark
from benchmarks.sustained import SPARK_JVM, SustainedBenchmark, run_sustained_benchmark
from upi.settings import Settings
from warehouse.dashboards import DASHBOARDS

pytestmark = pytest.mark.integration


def test_the_sink_benchmark_compares_the_stream_with_a_bare_copy_upsert_of_the_same_rows(
    stack: Settings, tmp_path: Path
) -> None:
    result, figure = run_sink_benchmark(
        stack, SinkBenchmark(records=3_000, batch_records=1_000, baseline_rows=100), tmp_path
    )
    save_result("sink", result, figure, folder=tmp_path / "results")
    saved = json.loads((tmp_path / "results" / "sink.json").read_text())
    assert saved["sink"]["rows_in"] == saved["bare_copy_upsert"]["rows"]
    assert saved["ratios"]["sink_vs_bare_copy_upsert"] > 0
    assert (tmp_path / "results" / "sink.png").stat().st_size > 0


def test_the_soak_benchmark_samples_state_and_memory_until_the_end(stack: Settings, tmp_path: Path) -> None:
    config = SoakBenchmark(minutes=1.0, rate=200, watermark_delay="10 seconds", sample_seconds=3)
    result, figure = run_soak_benchmark(stack, config, tmp_path)
    assert result["samples"][-1]["seconds"] >= 60
    assert 0 < result["max_state_rows"] < 200 * 60
    assert result["max_jvm_rss_bytes"] > result["max_state_memory_bytes"] > 0
    assert result["steady_growth"]["state_rows"] is not None
    save_result("soak", result, figure, folder=tmp_path / "results")
    assert "## Soak: bounded dedup state" in render_report(tmp_path / "results")


@pytest.fixture(scope="module")
def gold_results(stack: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The gold benchmark on a 2,000-transaction day, its results saved in the folder returned."""
    folder = tmp_path_factory.mktemp("gold-bench")
    result, figure = run_gold_benchmark(stack, GoldBenchmark(sizes=(2_000,)), folder)
    save_result("gold", result, figure, folder=folder / "results")
    return folder / "results"


def test_the_gold_benchmark_times_the_job_and_its_great_expectations_share(gold_results: Path) -> None:
    (day,) = json.loads((gold_results / "gold.json").read_text())["days"]
    assert day["transactions"] == 2_000
    assert 0 < day["great_expectations_seconds"] < day["seconds"]
    assert set(day["suites"]) == {"silver_day", "gold_day"}
    assert day["vs_baseline"] == day["seconds"] / day["baseline_seconds"]


def test_the_gold_benchmark_reports_where_the_time_went_step_by_step(gold_results: Path) -> None:
    report = render_report(gold_results)
    assert "| step | 2,000 |" in report
    assert "| final states |" in report
    assert "| publish to Postgres |" in report
    assert (gold_results / "gold.png").stat().st_size > 0


def test_the_panel_benchmark_times_every_panel_in_both_ranges(stack: Settings, tmp_path: Path) -> None:
    result, figure = run_panels_benchmark(stack, PanelsBenchmark(transactions=3_000, days=3))
    panels = [p.name for d in DASHBOARDS for p in d.panels]
    assert [t["panel"] for t in result["default_range"]] == panels
    assert [t["panel"] for t in result["whole_range"]] == panels
    assert all(t["rows"] > 0 for t in result["whole_range"])
    assert result["baseline_seconds"] > 0
    save_result("panels", result, figure, folder=tmp_path / "results")
    assert "## Grafana panels' query time" in render_report(tmp_path / "results")


def test_the_generator_benchmark_counts_acknowledged_events_of_one_and_two_workers(stack: Settings) -> None:
    result, _ = run_generator_benchmark(stack, GeneratorBenchmark(records=3_000))
    assert result["one_process"]["records"] == result["two_workers"]["records"] == 3_000
    assert all(result[run]["events_per_second"] > 0 for run in ("build_only", "one_process", "two_workers"))


def test_the_freshness_benchmark_measures_percentiles_of_every_row_after_the_warmup(
    stack: Settings, tmp_path: Path
) -> None:
    config = FreshnessBenchmark(rates=(300,), seconds=8, warmup_seconds=2, drain_timeout_seconds=120)
    result, figure = run_freshness_benchmark(stack, config, tmp_path)
    (run,) = result["runs"]
    assert run["transactions"] == 300 * 8
    assert 0 < run["rows_measured"] < run["transactions"]
    assert 0 < run["p50_seconds"] <= run["p95_seconds"] <= run["p99_seconds"] <= run["max_seconds"]
    assert run["stream_cpu_seconds"] > 0 and 0 < run["jit_share_of_stream_cpu"] < 1
    assert sum(slot["rows"] for slot in run["over_time"]) == run["transactions"]
    assert set(run["batch_profile"]) == {"ingest", "refine"}
    save_result("freshness", result, figure, folder=tmp_path / "results")
    assert "## Freshness: event time to Postgres" in render_report(tmp_path / "results")


@pytest.fixture(scope="module")
def sustained_results(stack: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sustained benchmark with 10-20 s runs at 200-400 events/s, its results saved in the folder returned."""
    folder = tmp_path_factory.mktemp("sustained-bench")
    config = SustainedBenchmark(
        start_rate=200, step=2.0, max_rate=400, probe_seconds=10, sustain_seconds=20, warmup_seconds=5,
        sample_seconds=1, lake="file", baseline_rows=100, sustain_attempts=1,
    )  # fmt: skip
    result, figure = run_sustained_benchmark(stack, config, folder)
    save_result("sustained", result, figure, folder=folder / "results")
    return folder / "results"


def test_the_sustained_benchmark_searches_sustains_and_measures_the_postgres_baselines(
    sustained_results: Path,
) -> None:
    result = json.loads((sustained_results / "sustained.json").read_text())
    assert result["search"][0]["rate"] == 200 and result["sustain"][0]["seconds"] == 20
    assert all(p["samples"] and p["sent_per_second"] > 0 for p in result["search"] + result["sustain"])
    assert result["sink"]["rows_in"] > 0 and result["bare_copy_upsert"]["rows"] == result["sink"]["rows_in"]
    assert result["executemany_20"]["rows"] == 100
    assert "## End-to-end sustained throughput" in render_report(sustained_results)


def test_the_sustained_benchmark_counts_the_cpu_of_every_pipeline_process_per_record(
    sustained_results: Path,
) -> None:
    run = json.loads((sustained_results / "sustained.json").read_text())["sustain"][0]
    cpu = run["cpu"]
    spent = {name: part["cpu_seconds"] for name, part in cpu["by_process"].items()}
    assert all(spent[name] > 0 for name in (SPARK_JVM, "Kafka broker", "Postgres"))
    assert cpu["events"] == run["rate"] * run["seconds"] and cpu["busy_us_per_event"] > 0
    assert "| µs of CPU per record |" in render_report(sustained_results)
