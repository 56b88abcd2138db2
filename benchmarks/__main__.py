"""``python -m benchmarks [sustained|sink|freshness|soak|gold|panels|generator|report]``: benchmarks, report.

Examples::

    python -m benchmarks sustained                   # highest rate held 5 min end to end, + Postgres baselines
    python -m benchmarks sink --records 200000       # stream + sink vs bare COPY-upsert
    python -m benchmarks soak --minutes 30 --rate 1000
    python -m benchmarks gold --rows 1000000 --rows 10000000
    python -m benchmarks panels --transactions 5000000   # every Grafana panel's query time
    python -m benchmarks generator --records 1000000      # events/s: build only, 1 process, 2 workers
    python -m benchmarks freshness --rate 1000 --rate 5000 --rate 10000   # event time -> Postgres p50/p95/p99
    python -m benchmarks report                      # docs/benchmarks.md from benchmarks/results/*.json
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from matplotlib.figure import Figure

from benchmarks.freshness import FreshnessBenchmark, run_freshness_benchmark
from benchmarks.generator import GeneratorBenchmark, run_generator_benchmark
from benchmarks.gold import GoldBenchmark, run_gold_benchmark
from benchmarks.panels import PanelsBenchmark, run_panels_benchmark
from benchmarks.report import render_report
from benchmarks.results import RESULTS_DIR, save_result
from benchmarks.sink import SinkBenchmark, run_sink_benchmark
from benchmarks.soak import SoakBenchmark, run_soak_benchmark
from benchmarks.sustained import SustainedBenchmark, run_sustained_benchmark
from tests.integration.world import sweep_earlier_worlds
from upi.settings import Settings, load_settings
from upi.stack import manager

REPORT = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__.splitlines()[0])
ResultsOption = Annotated[Path, typer.Option(help="Folder of the JSON and PNG results.")]


Runner = Callable[[Settings, Path], tuple[dict[str, Any], Figure]]


def _run(name: str, runner: Runner, results: Path) -> None:
    """Start the stack, run one benchmark in a scratch folder (removed after), save its result, the report."""
    stack = load_settings()
    manager.up(stack)
    sweep_earlier_worlds(stack)
    folder = Path(tempfile.mkdtemp(prefix="upi-bench-"))
    try:
        result, figure = runner(stack, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    typer.echo(f"wrote {save_result(name, result, figure, folder=results)}")
    _report(results)


@app.command()
def sink(
    records: Annotated[int, typer.Option(min=1_000, help="Records to generate and drain.")] = 200_000,
    batch_records: Annotated[int, typer.Option(min=100, help="maxOffsetsPerTrigger of the run.")] = 50_000,
    baseline_rows: Annotated[int, typer.Option(min=20, help="Rows of the executemany baseline.")] = 20_000,
    results: ResultsOption = RESULTS_DIR,
) -> None:
    """Sustained events/s of `upi stream`, its Postgres sink rate, a bare COPY-upsert and executemany × 20."""
    config = SinkBenchmark(records, batch_records, baseline_rows)
    _run("sink", lambda stack, folder: run_sink_benchmark(stack, config, folder), results)


@app.command()
def sustained(
    start_rate: Annotated[int, typer.Option(min=100, help="Rate of the first probe, events/s.")] = 2_000,
    probe_seconds: Annotated[float, typer.Option(min=10, help="Seconds of each probe.")] = 90.0,
    sustain_seconds: Annotated[float, typer.Option(min=30, help="Seconds the best rate must hold.")] = 300.0,
    lake: Annotated[str, typer.Option(help="Lake of the run: s3a (MinIO) or file.")] = "s3a",
    build_while_sending: Annotated[
        bool, typer.Option(help="Build each run's records while sending them, on the measured cores.")
    ] = False,
    results: ResultsOption = RESULTS_DIR,
) -> None:
    """Highest rate held end to end without growing lag, beside a bare COPY-upsert and executemany × 20."""
    if lake not in ("s3a", "file"):
        raise typer.BadParameter("use s3a or file", param_hint="--lake")
    config = SustainedBenchmark(
        start_rate=start_rate, probe_seconds=probe_seconds, sustain_seconds=sustain_seconds, lake=lake,
        build_first=not build_while_sending,
    )  # fmt: skip
    _run("sustained", lambda stack, folder: run_sustained_benchmark(stack, config, folder), results)


@app.command()
def soak(
    minutes: Annotated[float, typer.Option(min=0.1, help="How long the stream runs.")] = 30.0,
    rate: Annotated[int, typer.Option(min=1, help="Events per second produced.")] = 1_000,
    watermark_delay: Annotated[
        str, typer.Option(help="The dedup window (UPI_WATERMARK_DELAY).")
    ] = "10 minutes",
    sample_seconds: Annotated[float, typer.Option(min=0.5, help="Seconds between samples.")] = 15.0,
    results: ResultsOption = RESULTS_DIR,
) -> None:
    """Stream at a fixed rate; sample dedup state, its memory and the driver's; judge whether it stays bounded."""
    config = SoakBenchmark(minutes, rate, watermark_delay, sample_seconds)
    _run("soak", lambda stack, folder: run_soak_benchmark(stack, config, folder), results)


@app.command()
def gold(
    rows: Annotated[
        list[int] | None, typer.Option(help="Transactions in a day; repeat for more sizes.")
    ] = None,
    results: ResultsOption = RESULTS_DIR,
) -> None:
    """Wall time of the gold job for days of 1M and 10M transactions, with the share of Great Expectations."""
    config = GoldBenchmark(tuple(rows)) if rows else GoldBenchmark()
    _run("gold", lambda stack, folder: run_gold_benchmark(stack, config, folder), results)


@app.command()
def panels(
    transactions: Annotated[int, typer.Option(min=1_000, help="Transactions in the warehouse.")] = 5_000_000,
    days: Annotated[int, typer.Option(min=1, help="Days they are spread over, ending now.")] = 7,
    results: ResultsOption = RESULTS_DIR,
) -> None:
    """Query time of every Grafana panel on a warehouse of `transactions` rows, as the read-only role."""
    _run("panels", lambda stack, _: run_panels_benchmark(stack, PanelsBenchmark(transactions, days)), results)


@app.command()
def generator(
    records: Annotated[int, typer.Option(min=1_000, help="Records per run.")] = 1_000_000,
    results: ResultsOption = RESULTS_DIR,
) -> None:
    """Events/s of the generator: building records only, one process into Kafka, two workers."""
    _run("generator", lambda stack, _: run_generator_benchmark(stack, GeneratorBenchmark(records)), results)


@app.command()
def freshness(
    rate: Annotated[list[int] | None, typer.Option(help="Events per second; repeat for more rates.")] = None,
    seconds: Annotated[
        float, typer.Option(min=5, help="Seconds of traffic per rate.")
    ] = FreshnessBenchmark.seconds,
    results: ResultsOption = RESULTS_DIR,
) -> None:
    """Event time -> Postgres p50/p95/p99 at fixed rates (default 1k, 5k, 10k events/s), trigger 1 s."""
    config = FreshnessBenchmark(tuple(rate), seconds) if rate else FreshnessBenchmark(seconds=seconds)
    _run("freshness", lambda stack, folder: run_freshness_benchmark(stack, config, folder), results)


def _report(results: Path) -> None:
    if results == RESULTS_DIR:
        typer.echo(render_report(results, REPORT))
        typer.echo(f"wrote {REPORT}")
    else:
        typer.echo(render_report(results))


@app.command()
def report(results: ResultsOption = RESULTS_DIR) -> None:
    """Render docs/benchmarks.md from the results."""
    _report(results)


if __name__ == "__main__":
    app()
