"""Gold: the figures of one IST business day, from silver. Pure transforms, DataFrame in, DataFrame out.

Silver holds every distinct state of a transaction; gold counts each transaction once, in its final state
(:func:`final_states`: a terminal status beats PENDING, then the later event time wins, as in the Postgres
sink), on the IST day of that state. Every breakdown carries the same outcome columns, so each one adds up
to the day's summary exactly (the gold expectations check it).

The summary's counts and the four small breakdowns are added up from the day's :func:`outcome_cube`
(a few thousand rows) rather than from the day itself: cache the cube, and Spark reads it wherever the plan
recurs, so the day is scanned once for all of them instead of five times.

Example::

    >>> day = transactions_of_day(final_states(silver), date(2026, 11, 25))   # doctest: +SKIP
    >>> cube = outcome_cube(day).cache()                                       # doctest: +SKIP
    >>> tables = {name: build(day) for name, build in BREAKDOWNS.items()}      # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from functools import reduce

from pyspark.sql import Column, DataFrame, Window, WindowSpec
from pyspark.sql import functions as F

from spark_jobs.transforms.validate import IST

MONEY = "decimal(20,2)"
UNKNOWN = "UNKNOWN"
"""Stands for a missing optional dimension in a breakdown's key: the merchant of a P2P payment, a PSP, a bank,
a response code the event did not carry. Keeping those rows is what makes every breakdown add up."""

DAY_COLUMNS = (
    "txn_id", "event_date", "event_time", "status", "response_code", "amount", "txn_type", "payer_vpa",
    "payee_vpa", "payer_psp", "payer_bank", "merchant_id", "mcc",
)  # fmt: skip
"""The silver columns a day's gold and its ``silver_day`` suite read; the day's transactions keep only these
(caching the other six cost a 10M-transaction day 11 s)."""

RANK_COLUMNS = ("txn_id", "event_date", "status", "event_time", "kafka_partition", "kafka_offset")
"""The silver columns that decide a transaction's final state (:func:`final_states`) and its day."""

OUTCOME_COLUMNS = ("txn_count", "success_count", "failed_count", "pending_count", "success_amount")


def states_deciding_day(silver: DataFrame, day: date, reach: timedelta) -> DataFrame:
    """The silver states that decide which transactions end on ``day``: the day's own states whole, and the
    states of the days within ``reach`` either side with only the :data:`RANK_COLUMNS` (the others null).

    A transaction whose final state is on ``day`` has a state on ``day``, so only that day's rows can end up
    in its gold; the other days' states only rank against them. Read narrow, they skip the amount, VPA and
    merchant columns in the scan, the shuffle and the sort (seven days of 2M states, for one of them: 94 s of
    CPU -> 57-61 s, 54-72 s -> 36 s wall).
    """
    on_day = F.col("event_date") == F.lit(day)
    around = F.col("event_date").between(F.lit(day - reach), F.lit(day + reach))
    others = silver.where(around & ~on_day).select(*RANK_COLUMNS)
    return silver.where(on_day).unionByName(others, allowMissingColumns=True)


def final_states(silver: DataFrame) -> DataFrame:
    """One row per ``txn_id``: its final state (terminal beats PENDING, then the later event time).

    Ranking only the transactions with several states (their ids broadcast, the others passed through) was
    tried: no faster on a 10M-transaction day, whose time goes to scanning and caching the day, not sorting.
    """
    latest_first = Window.partitionBy("txn_id").orderBy(
        (F.col("status") != "PENDING").desc(),
        F.col("event_time").desc(),
        F.col("kafka_partition").desc(),
        F.col("kafka_offset").desc(),
    )
    return silver.withColumn("_rank", F.row_number().over(latest_first)).where("_rank = 1").drop("_rank")


def transactions_of_day(finals: DataFrame, day: date) -> DataFrame:
    """The final states whose IST business day is ``day``, with the :data:`DAY_COLUMNS`."""
    return finals.where(F.col("event_date") == F.lit(day)).select(*DAY_COLUMNS)


def _is(status: str) -> Column:
    return F.col("status") == status


def _outcomes() -> list[Column]:
    """The outcome columns every gold table has, in :data:`OUTCOME_COLUMNS` order."""
    return [
        F.count(F.lit(1)).alias("txn_count"),
        F.count_if(_is("SUCCESS")).alias("success_count"),
        F.count_if(_is("FAILED")).alias("failed_count"),
        F.count_if(_is("PENDING")).alias("pending_count"),
        F.coalesce(_rupees_sum(F.when(_is("SUCCESS"), F.col("amount"))), F.lit(0)).alias("success_amount"),
    ]


def _in_paise(rupees: Column) -> Column:
    return (rupees * 100).cast("bigint")


def _in_rupees(paise: Column) -> Column:
    return (paise.cast("decimal(20,0)") / 100).cast(MONEY)


def _rupees_sum(amounts: Column) -> Column:
    """The exact sum of ``amounts`` (rupees, two decimals) as :data:`MONEY`, added up as whole paise in a long:
    summing the decimals themselves goes through arbitrary-precision arithmetic (a breakdown of a
    10M-transaction day: 1.8 s against 1.2 s). ANSI mode, Spark's default, fails on an overflow, never wraps."""
    return _in_rupees(F.sum(_in_paise(amounts)))


def _success_rate() -> Column:
    """Successful / all transactions of the group (PENDING included), in [0, 1]."""
    return (F.col("success_count") / F.col("txn_count")).alias("success_rate")


def _known(column: str) -> Column:
    return F.coalesce(F.col(column), F.lit(UNKNOWN)).alias(column)


def _ist_hour() -> Column:
    return F.hour(F.from_utc_timestamp("event_time", IST)).alias("hour")


def outcome_cube(day: DataFrame) -> DataFrame:
    """The day's transactions (``n``) and amounts in paise (``paise``) per payer PSP, payer bank, IST hour,
    response code, status and type: the grain the summary's counts and the four small breakdowns are added up
    from (a 10M-transaction day has a few thousand such groups)."""
    return day.groupBy(
        "event_date", _known("payer_psp"), _known("payer_bank"), _ist_hour(), _known("response_code"), "status",
        _known("txn_type"),
    ).agg(F.count(F.lit(1)).alias("n"), F.sum(_in_paise(F.col("amount"))).alias("paise"))  # fmt: skip


def _of_status(status: str, column: str) -> Column:
    return F.coalesce(F.sum(F.when(_is(status), F.col(column))), F.lit(0))


def _cube_outcomes() -> list[Column]:
    """:func:`_outcomes` added up from :func:`outcome_cube` rows, in :data:`OUTCOME_COLUMNS` order."""
    return [
        F.sum("n").alias("txn_count"),
        _of_status("SUCCESS", "n").alias("success_count"),
        _of_status("FAILED", "n").alias("failed_count"),
        _of_status("PENDING", "n").alias("pending_count"),
        _in_rupees(_of_status("SUCCESS", "paise")).alias("success_amount"),
    ]


def _rolled_up(day: DataFrame, *keys: str) -> DataFrame:
    return outcome_cube(day).groupBy("event_date", *keys).agg(*_cube_outcomes())


def _average_success_amount() -> Column:
    """Spark's ``avg`` of the successful amounts rounded to the paisa, from the cube's sums and counts, to the
    digit: ``avg`` of a decimal(12,2) is its sum as decimal(22,2) / its count as decimal(20,0), cast to
    decimal(16,6)."""
    paise, count = _of_status("SUCCESS", "paise"), _of_status("SUCCESS", "n")
    mean = (_in_rupees(paise).cast("decimal(22,2)") / count.cast("decimal(20,0)")).cast("decimal(16,6)")
    return F.round(F.when(count > 0, mean), 2).cast("decimal(12,2)").alias("avg_success_amount")


def _running_count(window: WindowSpec) -> Column:
    """The ``n`` of this row and every row before it in ``window``'s order."""
    return F.sum("n").over(window.rowsBetween(Window.unboundedPreceding, Window.currentRow))


def success_amount_percentiles(day: DataFrame, shares: dict[str, float]) -> DataFrame:
    """Per ``event_date``, for each ``column → share``: the exact ``share`` percentile of successful amounts,
    as ``percentile_disc`` defines it (the smallest amount whose cumulative share of the successes is at
    least ``share``; an amount that occurred), e.g. ``{"p50_success_amount": 0.5}``.

    Two passes over the successes, each aggregating them to few rows: counts per whole rupee find the rupee
    that holds each percentile, then counts per amount within that rupee (at most 100 paise values) find the
    amount. ``percentile_disc`` itself holds and sorts every amount in one buffer, and a histogram of every
    distinct amount shuffled 5.5M rows of a 10M-transaction day (8.4 s, against 4.7 s for the two passes).
    ``count ≥ share × total`` is the comparison Spark makes.
    """
    successes = day.where(_is("SUCCESS")).select("event_date", "amount", F.floor("amount").alias("rupee"))
    wanted = day.sparkSession.createDataFrame(list(shares.items()), "percentile string, share double")
    reached = F.col("at_most") >= F.col("share") * F.col("successes")
    per_day = Window.partitionBy("event_date")
    rupees = _counted(successes, "event_date", "rupee").select(
        "*",
        _running_count(per_day.orderBy("rupee")).alias("at_most"),
        F.sum("n").over(per_day).alias("successes"),
    )
    holding = (
        rupees.crossJoin(F.broadcast(wanted))
        .where(reached)
        .groupBy("event_date", "percentile", "share", "successes")
        .agg(F.min("rupee").alias("rupee"), F.min_by(F.col("at_most") - F.col("n"), "rupee").alias("below"))
    )
    within = successes.join(F.broadcast(holding), ["event_date", "rupee"])
    amounts = _counted(within, "event_date", "percentile", "share", "successes", "below", "amount")
    up_to_here = Window.partitionBy("event_date", "percentile").orderBy("amount")
    found = amounts.withColumn("at_most", F.col("below") + _running_count(up_to_here)).where(reached)
    return found.groupBy("event_date").agg(*(
        F.min(F.when(F.col("percentile") == column, F.col("amount"))).cast("decimal(12,2)").alias(column)
        for column in shares
    ))  # fmt: skip


def _counted(frame: DataFrame, *keys: str) -> DataFrame:
    return frame.groupBy(*keys).agg(F.count(F.lit(1)).alias("n"))


def daily_summary(day: DataFrame) -> DataFrame:
    """One row for the day: outcome counts, success rate, amounts (sum, average, p50, p95), distinct VPAs.

    The counts and sums come from the :func:`outcome_cube`; the exact percentiles and the two distinct counts
    are aggregated apart and joined on the day: in one aggregation Spark would expand every row three times
    and hold all amounts once per copy (48 s of a 10M-transaction day's 157 s).
    """
    total_amount = _in_rupees(F.sum("paise")).alias("total_amount")
    counts = (
        outcome_cube(day)
        .groupBy("event_date")
        .agg(*_cube_outcomes(), total_amount, _average_success_amount())
    )
    amounts = success_amount_percentiles(day, {"p50_success_amount": 0.5, "p95_success_amount": 0.95})
    payers = day.groupBy("event_date").agg(F.count_distinct("payer_vpa").alias("distinct_payers"))
    payees = day.groupBy("event_date").agg(F.count_distinct("payee_vpa").alias("distinct_payees"))
    joined = counts.join(amounts, "event_date", "left").join(payers, "event_date").join(payees, "event_date")
    return joined.select("event_date", *OUTCOME_COLUMNS, _success_rate(), "total_amount", "avg_success_amount",
                         "p50_success_amount", "p95_success_amount", "distinct_payers", "distinct_payees")  # fmt: skip


def by_merchant(day: DataFrame) -> DataFrame:
    """One row per merchant and MCC; P2P payments have no merchant and count under :data:`UNKNOWN`."""
    return day.groupBy("event_date", _known("merchant_id"), _known("mcc")).agg(*_outcomes())


def by_psp_and_bank(day: DataFrame) -> DataFrame:
    """One row per payer PSP app and payer bank, with the success rate."""
    return _rolled_up(day, "payer_psp", "payer_bank").select("*", _success_rate())


def by_hour(day: DataFrame) -> DataFrame:
    """One row per IST hour of the day (0–23) that had transactions."""
    return _rolled_up(day, "hour")


def by_response_code(day: DataFrame) -> DataFrame:
    """One row per NPCI response code (with the status it came with)."""
    return _rolled_up(day, "response_code", "status")


def by_txn_type(day: DataFrame) -> DataFrame:
    """P2P vs P2M."""
    return _rolled_up(day, "txn_type")


BREAKDOWNS: dict[str, Callable[[DataFrame], DataFrame]] = {
    "gold_daily_summary": daily_summary,
    "gold_daily_merchant": by_merchant,
    "gold_daily_psp_bank": by_psp_and_bank,
    "gold_hourly": by_hour,
    "gold_daily_response_code": by_response_code,
    "gold_daily_txn_type": by_txn_type,
}
"""Gold table name → how it is built from the day's transactions (final states)."""


def totals(frame: DataFrame) -> DataFrame:
    """One row: the frame's transactions, successes and successful amount in paise (an exact integer)."""
    return frame.agg(
        F.count(F.lit(1)).alias("txn_count"),
        F.count_if(_is("SUCCESS")).alias("success_count"),
        _paise(F.coalesce(F.sum(F.when(_is("SUCCESS"), F.col("amount"))), F.lit(0))),
    )


def _paise(rupees: Column) -> Column:
    return _in_paise(rupees).alias("success_amount_paise")


def reconciliation(gold: dict[str, DataFrame]) -> DataFrame:
    """One row per gold table: its summed outcome columns (amounts in paise) and its success-rate range."""

    def row(name: str, frame: DataFrame) -> DataFrame:
        rate = F.col("success_rate") if "success_rate" in frame.columns else F.lit(None).cast("double")
        return frame.agg(
            F.lit(name).alias("gold_table"),
            F.coalesce(F.sum("txn_count"), F.lit(0)).alias("txn_count"),
            F.coalesce(F.sum("success_count"), F.lit(0)).alias("success_count"),
            _paise(F.coalesce(F.sum("success_amount"), F.lit(0))),
            F.min(rate).alias("min_success_rate"),
            F.max(rate).alias("max_success_rate"),
        )

    return reduce(DataFrame.unionByName, (row(name, frame) for name, frame in gold.items()))
