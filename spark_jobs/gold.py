"""The gold batch job: one IST business day of silver → six gold tables in Delta and Postgres, gated by
Great Expectations. Never writes, optimizes or vacuums a table the stream writes.

For day D:

1. read silver's partitions D-w … D+w (w = ``UPI_GOLD_STATE_WINDOW_DAYS``, default 7: a transaction's states
   can straddle midnight, or resolve days later), keep each transaction's final state, and those whose day is D;
2. gate them with suite ``silver_day`` (row-count bounds from the previous days' gold);
3. build the breakdowns and gate them with suite ``gold_day`` (each adds up to the input, to the paisa);
4. only when both passed: replace D in each gold Delta table (``replaceWhere``), then D's rows of every Postgres
   gold table in one transaction. A failed gate publishes nothing: the previous gold of D stays.

Every suite's verdict goes to Postgres ``dq_results``, passed or not.

Run it with ``upi gold --date 2026-11-25`` (``--late-days`` for the days that got late events) or
``spark-submit --driver-memory 4g --jars "$UPI_SPARK_JARS" spark_jobs/gold.py --date 2026-11-25`` (``upi gold``
gives its driver ``UPI_GOLD_DRIVER_MEMORY``).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial

from pyspark.sql import DataFrame, SparkSession

from spark_jobs import tables
from spark_jobs.io.delta_tables import replace_partition
from spark_jobs.io.postgres_connections import close_pools
from spark_jobs.io.postgres_gold import (
    late_days_to_recompute,
    previous_day_counts,
    record_quality,
    replace_gold_day,
)
from spark_jobs.parallel import run_together
from spark_jobs.quality import QualityGate, SuiteOutcome
from spark_jobs.session import build_spark
from spark_jobs.steps import Steps
from spark_jobs.transforms.gold import (
    BREAKDOWNS,
    final_states,
    outcome_cube,
    reconciliation,
    states_deciding_day,
    totals,
    transactions_of_day,
)
from upi.settings import Settings, settings_or_exit

DAY_COLUMN = "event_date"
GX_CONTEXT = "Great Expectations context"
"""The step that opens the GX file context and its Spark data source (a few seconds on a new JVM)."""


class GoldNotPublishedError(RuntimeError):
    """A quality gate failed; the message is one line naming the day and the failed expectations."""


@dataclass(frozen=True)
class GoldRun:
    """What one run of the job did for one day."""

    day: date
    run_id: uuid.UUID
    published: bool
    transactions: int
    rows: dict[str, int]
    outcomes: list[SuiteOutcome] = field(default_factory=list)
    seconds: float = 0.0
    steps: dict[str, float] = field(default_factory=dict)
    """Wall seconds of each step: final states, the GX context, each suite, the outcome cube, each gold table,
    publishing."""

    @property
    def quality_seconds(self) -> float:
        """Seconds in Great Expectations: opening its context and running the suites."""
        return self.steps.get(GX_CONTEXT, 0.0) + sum(outcome.seconds for outcome in self.outcomes)

    def line(self) -> str:
        verdict = "published" if self.published else "NOT published"
        return (
            f"gold {self.day}: {verdict}; {self.transactions:,} transactions, "
            f"{sum(self.rows.values()):,} gold rows in {self.seconds:.1f}s "
            f"(Great Expectations {self.quality_seconds:.1f}s)"
        )

    def steps_line(self) -> str:
        """``"steps: final states 41.2s, silver_day suite 4.0s, …"``: where the run's time went."""
        return "steps: " + ", ".join(f"{name} {seconds:.1f}s" for name, seconds in self.steps.items())


def day_transactions(spark: SparkSession, settings: Settings, day: date) -> DataFrame:
    """The final state of each transaction whose IST business day is ``day``.

    A transaction's states may lie on other days (PENDING before midnight, resolved after; a late
    resolution): all states within ``gold_state_window_days`` either side decide which state is final, and
    so whether it belongs to ``day``; those of the other days are read with only the columns that rank states
    (:func:`~spark_jobs.transforms.gold.states_deciding_day`). (Narrowing them first to the transactions seen
    on ``day`` cost a join that shuffled every row twice: a third of a 10M-transaction day's time.)
    """
    silver = spark.read.format("delta").load(settings.table_uri(tables.SILVER))
    states = states_deciding_day(silver, day, timedelta(days=settings.gold_state_window_days))
    # The shuffle final_states needs anyway, into partitions small enough to cache in memory.
    by_transaction = states.repartition(settings.gold_day_partitions, "txn_id")
    return transactions_of_day(final_states(by_transaction), day)


def row_count_bounds(settings: Settings, day: date) -> tuple[int, int | None]:
    """(min, max) rows for ``day`` from the mean of the previous days' gold; (1, None) without history."""
    history = previous_day_counts(settings.dsn, day, settings.gold_history_days)
    if not history:
        return 1, None
    mean = sum(history) / len(history)
    return max(1, math.floor(mean * settings.gold_min_rows_ratio)), math.ceil(
        mean * settings.gold_max_rows_ratio
    )


def _cached(frame: DataFrame) -> DataFrame:
    frame = frame.persist()
    frame.count()
    return frame


def _gated_gold(
    gate: QualityGate, settings: Settings, day: date, transactions: DataFrame, steps: Steps
) -> tuple[list[SuiteOutcome], dict[str, DataFrame]]:
    """Validate the day's transactions, and only if they pass build the gold tables (cached) and validate
    them against the input's totals. Returns the suites' outcomes and the tables built."""
    min_rows, max_rows = row_count_bounds(settings, day)
    input_parameters = {
        "max_amount": float(settings.max_amount_inr),
        "min_rows": min_rows,
        "max_rows": max_rows,
    }
    with steps.timed("silver_day suite"):
        outcomes = [gate.validate(transactions, "silver_day", input_parameters)]
    if not outcomes[0].success:
        return outcomes, {}
    with steps.timed("outcome cube"):
        cube = _cached(outcome_cube(transactions))  # read from memory by the breakdowns built from it
    try:
        gold: dict[str, DataFrame] = {}
        for name, build in BREAKDOWNS.items():
            with steps.timed(name):
                gold[name] = _cached(build(transactions))
    finally:
        cube.unpersist()
    with steps.timed("gold_day suite"):
        expected = totals(transactions).collect()[0].asDict()
        outcomes.append(gate.validate(reconciliation(gold), "gold_day", expected))
    return outcomes, gold


def _publish(
    spark: SparkSession, settings: Settings, day: date, gold: dict[str, DataFrame], steps: Steps
) -> None:
    """Replace ``day`` in each gold Delta table (all at once: each commit is a table's own), then in Postgres
    (one transaction)."""
    with steps.timed("publish to Delta"):
        run_together(spark, *(
            partial(replace_partition, frame, settings.table_uri(name), DAY_COLUMN, day.isoformat())
            for name, frame in gold.items()
        ))  # fmt: skip
    with steps.timed("publish to Postgres"):
        replace_gold_day(settings.dsn, day, {name: frame.toArrow() for name, frame in gold.items()})


def run_gold(spark: SparkSession, settings: Settings, day: date) -> GoldRun:
    """Build, gate and (when the gates pass) publish the gold of ``day``; raise :class:`GoldNotPublishedError`
    when a gate fails, after recording its verdict."""
    started = time.perf_counter()
    steps = Steps(spark)
    with steps.timed("final states"):
        transactions = _cached(day_transactions(spark, settings, day))
    gold: dict[str, DataFrame] = {}
    try:
        with steps.timed(GX_CONTEXT):
            gate = QualityGate(settings.quality_dir)
        outcomes, gold = _gated_gold(gate, settings, day, transactions, steps)
        published = all(outcome.success for outcome in outcomes)
        if published:
            _publish(spark, settings, day, gold, steps)
        run = GoldRun(
            day, uuid.uuid4(), published, transactions.count(),
            {name: frame.count() for name, frame in gold.items()}, outcomes, time.perf_counter() - started,
            steps.seconds,
        )  # fmt: skip
        record_quality(settings.dsn, run.run_id, day, outcomes)
    finally:
        for frame in (transactions, *gold.values()):
            frame.unpersist()
        close_pools(settings.dsn)
    if not run.published:
        failed = next(outcome for outcome in outcomes if not outcome.success)
        raise GoldNotPublishedError(f"gold of {day} not published: {failed.summary()}")
    return run


NOTHING_TO_REBUILD = "no day has late events waiting for its gold to be rebuilt"


def build_days(settings: Settings, day: date | None) -> Iterator[GoldRun]:
    """Run :func:`run_gold` for ``day``, or without a day for each day that got late events since its gold
    was last published; a Spark session is started only when there is a day to build."""
    days = [day] if day is not None else late_days_to_recompute(settings.dsn)
    if days:
        spark = build_spark(settings, "upi-gold", driver_memory=settings.gold_driver_memory)
        for each in days:
            yield run_gold(spark, settings, each)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``spark-submit spark_jobs/gold.py --date YYYY-MM-DD | --late-days``."""
    parser = argparse.ArgumentParser(prog="spark_jobs/gold.py", description=__doc__.splitlines()[0])
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--date", type=date.fromisoformat, help="IST business day, YYYY-MM-DD")
    which.add_argument("--late-days", action="store_true", help="rebuild the days that got late events")
    args = parser.parse_args(argv)
    built = 0
    try:
        for run in build_days(settings_or_exit(), args.date):
            print(run.line(), f"  {run.steps_line()}", sep="\n", flush=True)
            built += 1
    except GoldNotPublishedError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if not built:
        print(NOTHING_TO_REBUILD)
    return 0


if __name__ == "__main__":
    sys.exit(main())
