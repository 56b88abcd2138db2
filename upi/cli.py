"""The ``upi`` command: local stack, generator, streaming job, reconciliation report and the demo.

Example::

    $ upi stack up
    $ upi generate --count 50000 --duplicate-rate 0.05 --invalid-rate 0.02
    $ upi stream --available-now
    $ upi report
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from upi.settings import ConfigError, Settings, load_settings

if TYPE_CHECKING:
    from spark_jobs.stream import StreamRun

app = typer.Typer(help="Real-time UPI payments lakehouse.", no_args_is_help=True, add_completion=False)
stack_app = typer.Typer(help="The local stack: Postgres, Kafka, S3 server, Spark jars.", no_args_is_help=True)
app.add_typer(stack_app, name="stack")
dashboards_app = typer.Typer(
    help="The Grafana dashboards: build their JSON, preview their data.", no_args_is_help=True
)
app.add_typer(dashboards_app, name="dashboards")
console = Console(width=None if sys.stdout.isatty() else 160)
err_console = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])


class ProfileName(StrEnum):
    """`upi generate --profile` choices: the presets of generator/profiles.py."""

    steady = "steady"
    festival = "festival"
    bank_outage = "bank-outage"
    uniform = "uniform"


def one_line_errors(command: F) -> F:
    """Turn the errors a user can fix (config, install, service start) into one line and exit code 2."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from upi.schema_registry import RegistryError
        from upi.stack.maven import InstallError
        from upi.stack.process import ServiceError
        from warehouse.migrate import MigrationError

        try:
            return command(*args, **kwargs)
        except (ConfigError, InstallError, ServiceError, MigrationError, RegistryError) as error:
            err_console.print(f"[bold red]error:[/] {error}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
        except Exception as error:
            from pyspark.errors import (
                StreamingQueryException,  # imported on failure only: keeps start-up fast
            )

            if not isinstance(error, StreamingQueryException):
                raise
            cause = str(error).strip().splitlines()[0]
            err_console.print(
                f"[bold red]error:[/] streaming query failed: {cause}", highlight=False, soft_wrap=True
            )
            err_console.print("The stream's checkpoint is intact: fix the cause and run it again to resume.")
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def _states_table(title: str, states: list[Any]) -> Table:
    table = Table(title=title)
    for column in ("service", "state", "pid", "address", "log"):
        table.add_column(column)
    for s in states:
        table.add_row(s.name, s.state, str(s.pid or "-"), s.address, s.log)
    return table


@stack_app.command("up")
@one_line_errors
def stack_up() -> None:
    """Install what is missing and start every service (a no-op for those already running)."""
    from upi.stack.manager import up

    console.print(_states_table("upi stack up", up(load_settings())))


@stack_app.command("down")
@one_line_errors
def stack_down() -> None:
    """Stop the services `up` started."""
    from upi.stack.manager import down

    console.print(_states_table("upi stack down", down(load_settings())))


@stack_app.command("status")
@one_line_errors
def stack_status() -> None:
    """Show each service: healthy, unhealthy or stopped; exit 1 unless all are healthy."""
    from upi.stack.manager import status

    states = status(load_settings())
    console.print(_states_table("upi stack status", states))
    if any(s.state != "healthy" for s in states):
        raise typer.Exit(1)


@stack_app.command("env")
@one_line_errors
def stack_env() -> None:
    """Print `export KEY=VALUE` lines for `eval "$(upi stack env)"`."""
    from upi.stack.manager import env_lines

    typer.echo("\n".join(env_lines(load_settings())))


@stack_app.command("install")
@one_line_errors
def stack_install(
    copy_to: Annotated[
        Path | None, typer.Option(help="Also copy the jars into this directory (for container images).")
    ] = None,
) -> None:
    """Download the Spark jars without starting anything."""
    import shutil

    from upi.stack.manager import install

    jars = install(load_settings())
    if copy_to is not None:
        copy_to.mkdir(parents=True, exist_ok=True)
        for jar in jars:
            shutil.copy2(jar, copy_to)
    console.print(f"{len(jars)} Spark jars ready" + (f" (copied to {copy_to})" if copy_to else ""))


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]generate"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=err_console, disable=not err_console.is_terminal,
    )  # fmt: skip


@app.command()
@one_line_errors
def generate(
    count: Annotated[
        int, typer.Option(min=1, help="Records to send (duplicates and invalid ones included).")
    ] = 10_000,
    rate: Annotated[
        float, typer.Option(min=0, help="Records per second; 0 sends as fast as possible.")
    ] = 0.0,
    seed: Annotated[int, typer.Option(help="Same seed and --start, same records.")] = 42,
    duplicate_rate: Annotated[float, typer.Option(min=0, max=1, help="Share of redelivered records.")] = 0.0,
    late_rate: Annotated[float, typer.Option(min=0, max=1, help="Share of records hours behind.")] = 0.0,
    invalid_rate: Annotated[
        float, typer.Option(min=0, max=1, help="Share of records breaking the contract.")
    ] = 0.0,
    start: Annotated[
        datetime | None,
        typer.Option(help="Event time of the first record (default: now).", formats=["%Y-%m-%dT%H:%M:%S%z"]),
    ] = None,
    output: Annotated[
        Path | None, typer.Option(help="Write JSON lines to this file instead of Kafka.")
    ] = None,
    profile: Annotated[
        ProfileName, typer.Option(help="Shape of the traffic (see generator/profiles.py).")
    ] = ProfileName.steady,
    hot_key_rate: Annotated[
        float, typer.Option(min=0, max=1, help="Share of P2M payments to the single busiest merchant.")
    ] = 0.0,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Producer processes (each its own seed).")] = 1,
) -> None:
    """Produce realistic UPI transaction events to Kafka (or a file)."""
    from dataclasses import replace

    from generator.events import TrafficMix
    from generator.producer import send_to_kafka, write_jsonl
    from generator.profiles import PROFILES
    from generator.workers import Plan, send_with_workers

    settings = load_settings()
    try:
        mix = TrafficMix(duplicate_rate=duplicate_rate, late_rate=late_rate, invalid_rate=invalid_rate)
    except ValueError as error:
        raise ConfigError(f"--duplicate-rate/--late-rate/--invalid-rate: {error}") from error
    if workers > 1 and output is not None:
        raise ConfigError("--workers: several workers write to Kafka only; drop --output or use --workers 1")
    shape = replace(PROFILES[profile.value], hot_key_rate=hot_key_rate)
    plan = Plan.of(count, rate, seed, start, mix, shape)
    if workers > 1:
        summary = send_with_workers(plan, settings.kafka_bootstrap, settings.kafka_topic, workers)
    else:
        with _progress() as progress:
            task = progress.add_task("generate", total=count)
            advance = lambda n: progress.advance(task, n)  # noqa: E731
            records = plan.factory().records(count)
            if output is not None:
                summary = write_jsonl(records, output, on_progress=advance)
            else:
                summary = send_to_kafka(
                    records, settings.kafka_bootstrap, settings.kafka_topic, rate=rate, on_progress=advance
                )
    table = Table(title=f"generated → {output or settings.kafka_topic}")
    for column in ("sent", "acked", "errors", "events/s", *sorted(summary.kinds)):
        table.add_column(column, justify="right")
    table.add_row(
        str(summary.sent), str(summary.acked), str(summary.errors), f"{summary.events_per_second:,.0f}",
        *(str(summary.kinds[k]) for k in sorted(summary.kinds)),
    )  # fmt: skip
    console.print(table)
    if summary.errors:
        err_console.print(
            f"[bold red]error:[/] {summary.errors} records not acknowledged; first: {summary.first_error}"
        )
        raise typer.Exit(1)


@app.command()
@one_line_errors
def stream(
    available_now: Annotated[
        bool, typer.Option("--available-now", help="Process what Kafka holds, then exit.")
    ] = False,
    trigger_seconds: Annotated[
        int | None, typer.Option(help="Micro-batch interval (UPI_TRIGGER_SECONDS).")
    ] = None,
) -> None:
    """Run the streaming job: Kafka → bronze/quarantine → silver → Postgres."""
    from spark_jobs.stream import run

    overrides = {"trigger_seconds": trigger_seconds} if trigger_seconds is not None else {}
    result = run(load_settings(**overrides), available_now=available_now, live=True)
    console.print(
        f"read {result.records_in:,} Kafka records in {result.seconds:.1f}s ({result.records_per_second:,.0f}/s)"
    )


@app.command()
@one_line_errors
def gold(
    day: Annotated[
        datetime | None, typer.Option("--date", formats=["%Y-%m-%d"], help="IST business day to build.")
    ] = None,
    late_days: Annotated[
        bool, typer.Option("--late-days", help="Rebuild every day that got late events since its last build.")
    ] = False,
) -> None:
    """Build, check (Great Expectations) and publish the gold tables of one day, or of the late-event days."""
    if (day is None) == (not late_days):
        raise typer.BadParameter("give exactly one of --date YYYY-MM-DD or --late-days", param_hint="--date")
    from spark_jobs.gold import NOTHING_TO_REBUILD, GoldNotPublishedError, build_days
    from spark_jobs.quality import data_docs_index

    settings = load_settings()
    built = 0
    try:
        for run in build_days(settings, day.date() if day else None):
            console.print(run.line(), highlight=False)
            console.print(f"  {run.steps_line()}", style="dim", highlight=False)
            built += 1
    except GoldNotPublishedError as error:
        err_console.print(f"[bold red]error:[/] {error}", highlight=False, soft_wrap=True)
        err_console.print(f"Data Docs: {data_docs_index(settings.quality_dir)}")
        raise typer.Exit(1) from None
    if not built:
        console.print(NOTHING_TO_REBUILD)


@app.command()
@one_line_errors
def airflow() -> None:
    """Start Airflow (standalone, parallelism 2) on the local stack with the gold DAGs; Ctrl-C stops it."""
    import subprocess

    from upi.airflow_local import prepare_home, standalone_env, ui_address
    from upi.stack.manager import up

    settings = load_settings()
    up(settings)
    env = standalone_env(settings)
    prepare_home(env)
    password = settings.airflow_password.get_secret_value()
    shown = (
        f"{password} (the local default; set UPI_AIRFLOW_PASSWORD)"
        if password == "upi-local-only"
        else ("the password in UPI_AIRFLOW_PASSWORD")
    )
    console.print(
        f"Airflow UI: {ui_address(settings)}  login: admin / {shown}\n"
        f"DAGs: upi_gold_daily, upi_gold_late_days (paused until you unpause them); logs in {env['AIRFLOW_HOME']}",
        highlight=False,
    )
    with subprocess.Popen([str(Path(sys.executable).parent / "airflow"), "standalone"], env=env) as process:
        try:
            process.wait()
        except KeyboardInterrupt:
            process.terminate()
            process.wait(timeout=60)


@dashboards_app.command("build")
@one_line_errors
def dashboards_build() -> None:
    """Write docker/grafana/dashboards/*.json from warehouse/dashboards.py and warehouse/panels/*.sql."""
    from warehouse.dashboards import write_dashboards

    for path in write_dashboards():
        console.print(f"wrote {path}", highlight=False)


@dashboards_app.command("preview")
@one_line_errors
def dashboards_preview(
    out: Annotated[Path, typer.Option(help="Directory of the PNGs.")] = Path("docs/dashboards"),
    end: Annotated[
        datetime | None, typer.Option(help="End of the dashboards' default ranges (UTC); default now.")
    ] = None,
) -> None:
    """Run every panel's SQL as the read-only role and draw the results, one PNG per dashboard."""
    from upi.dashboard_preview import write_previews

    stop = (end.replace(tzinfo=end.tzinfo or UTC) if end else datetime.now(UTC)).astimezone(UTC)
    for path in write_previews(load_settings(), out, stop):
        console.print(f"wrote {path}", highlight=False)


def _reconciliation_table(
    settings: Settings, in_topic: int | None = None, run: StreamRun | None = None
) -> Table:
    from spark_jobs.report import reconcile
    from spark_jobs.session import build_spark

    counts = reconcile(build_spark(settings, "upi-report", ui=False), settings)
    table = Table(title=f"UPI lakehouse: what happened to topic {settings.kafka_topic}")
    table.add_column("measure")
    table.add_column("value", justify="right")
    rows: list[tuple[str, str]] = []
    if in_topic is not None:
        rows.append(("records in the Kafka topic", f"{in_topic:,}"))
    rows += [
        ("bronze rows", f"{counts.bronze:,}"),
        ("silver rows", f"{counts.silver:,}"),
        ("quarantined", f"{counts.quarantined:,}"),
        ("duplicates dropped", f"{counts.dropped:,}"),
        ("rows in Postgres", f"{counts.postgres_rows:,}"),
    ]
    rows += [
        (f"  quarantined: {reason}", f"{n:,}") for reason, n in sorted(counts.quarantine_reasons.items())
    ]
    if run is not None:
        rows.append(("read by this run", f"{run.records_in:,}"))
        rows.append(("stream events/s (this run)", f"{run.records_per_second:,.0f}"))
    for row in rows:
        table.add_row(*row)
    return table


@app.command()
@one_line_errors
def report() -> None:
    """Count each layer and show the reconciliation: bronze = silver + quarantined + dropped."""
    console.print(_reconciliation_table(load_settings()))


@app.command()
@one_line_errors
def migrate() -> None:
    """Apply the warehouse migrations to UPI_POSTGRES_DSN; give the dashboards' role its password."""
    from warehouse.migrate import migrate as apply
    from warehouse.migrate import set_reader_password

    settings = load_settings()
    applied = apply(settings.dsn)
    set_reader_password(settings.dsn, settings.grafana_db_password.get_secret_value())
    console.print(f"applied: {', '.join(applied)}" if applied else "warehouse is up to date")


@app.command()
@one_line_errors
def setup() -> None:
    """Prepare a deployment whose servers run: migrations and the dashboards' role password, the Kafka
    topic, and the event contract in the schema registry when UPI_SCHEMA_REGISTRY_URL is set. Idempotent."""
    from upi.kafka_admin import ensure_topic
    from upi.schema_registry import register_contract

    settings = load_settings()
    migrate()
    created = ensure_topic(settings.kafka_bootstrap, settings.kafka_topic, settings.kafka_topic_partitions)
    console.print(
        f"topic {settings.kafka_topic}: {'created' if created else 'already there'}", highlight=False
    )
    if settings.schema_registry_url:
        subject = f"{settings.kafka_topic}-value"
        schema_id = register_contract(settings.schema_registry_url, subject)
        console.print(f"contract registered as {subject}, schema id {schema_id}", highlight=False)


@app.command()
@one_line_errors
def demo(
    count: Annotated[int, typer.Option(min=1, help="Records to generate.")] = 50_000,
) -> None:
    """Start the stack, generate traffic with duplicates and invalid events, drain it, print what happened."""
    from spark_jobs.stream import run
    from upi.kafka_admin import topic_size
    from upi.stack.manager import up

    settings = load_settings()
    console.print(_states_table("local stack", up(settings)))
    before = topic_size(settings.kafka_bootstrap, settings.kafka_topic)
    generate(count=count, rate=0.0, seed=int(datetime.now(UTC).timestamp()), duplicate_rate=0.04,
             late_rate=0.0, invalid_rate=0.02, start=None, output=None)  # fmt: skip
    in_topic = topic_size(settings.kafka_bootstrap, settings.kafka_topic)
    result = run(settings, available_now=True)
    console.print(_reconciliation_table(settings, in_topic=in_topic, run=result))
    console.print(
        f"(The topic held {before:,} records before this run; the lake and Postgres keep every run's rows.)\n"
        "Look at the data:\n"
        f'  psql "$UPI_POSTGRES_DSN" -c \\\n'
        f"    'SELECT status, count(*), sum(amount) FROM clean_upi_transactions GROUP BY 1'\n"
        f'  lake tables under {settings.lake_uri}  (eval "$(upi stack env)" first)\n'
        f"  upi report   |   upi stack status   |   upi stack down"
    )


# Typer vendors click privately; its public BadParameter derives from the UsageError every parse error uses.
_UsageError: type[Exception] = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError")


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: usage and config errors are one line on stderr and exit code 2."""
    try:
        # Without standalone mode typer returns Exit(n) as n and raises usage errors for us to print.
        code = app(args=argv, prog_name="upi", standalone_mode=False)
    except typer.Abort:
        err_console.print("aborted")
        sys.exit(130)
    except _UsageError as error:
        ctx = getattr(error, "ctx", None)
        command = ctx.command_path if ctx is not None else "upi"
        message = error.format_message()  # type: ignore[attr-defined]
        if message:  # empty when no command was given and the help was shown instead
            err_console.print(
                f"[bold red]error:[/] {message} (see `{command} --help`)", highlight=False, soft_wrap=True
            )
        sys.exit(2)
    except ConfigError as error:  # raised while typer parses, before a command's own handler
        err_console.print(f"[bold red]error:[/] {error}", highlight=False, soft_wrap=True)
        sys.exit(2)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
