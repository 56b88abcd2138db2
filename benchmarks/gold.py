"""Wall time of the gold job for one day of ``rows`` transactions, and the share spent in Great Expectations.

The day's silver is synthesised with Spark (hash-derived columns: 92 % SUCCESS, 6 % FAILED, 2 % PENDING,
62 % P2M, amounts from ₹0.01 to ₹5,000, spread over the IST day) into a fresh lake and database, then
:func:`spark_jobs.gold.run_gold` builds, gates and publishes it, timed whole. Sizes run smallest first, so the
JIT warm-up lands on the smallest.

The baseline, measured just before on the same day: the least any job keeping one state per transaction must do,
read the day's silver and shuffle it by ``txn_id`` (written nowhere). The gold job is reported as a multiple of
it, which stays comparable between runs on a machine whose speed varies from day to day.

Run it with ``python -m benchmarks gold --rows 1000000 --rows 10000000``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from time import perf_counter
from typing import Any

from matplotlib import colormaps
from matplotlib.figure import Figure
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from benchmarks.results import titled
from benchmarks.spark_stages import slowest_stages, stage_mark
from generator.profiles import IST
from spark_jobs import tables
from spark_jobs.gold import run_gold
from spark_jobs.session import build_spark
from spark_jobs.transforms.validate import ValidationRules, valid_events, validate
from tests.builders import bronze_of
from tests.integration.world import create_database
from upi.settings import Settings, load_settings

DAY = date(2026, 11, 25)
PSPS = ("PhonePe", "GooglePay", "Paytm", "CRED")
BANKS = ("HDFC", "SBIN", "ICIC", "UTIB", "KKBK")
FAILURE_CODES = ("U30", "U16", "Z9", "ZM", "U69", "BT")


PENDING_FIRST_PERCENT = 3
"""Share of resolved transactions whose PENDING state is in silver too (the generator's pending rate)."""


@dataclass(frozen=True)
class GoldBenchmark:
    """Day sizes to time, smallest first."""

    sizes: tuple[int, ...] = (1_000_000, 10_000_000)


def _pick(options: tuple[str, ...], draw: Column) -> Column:
    return F.element_at(F.array(*(F.lit(o) for o in options)), (draw % len(options) + 1).cast("int"))


def synthetic_silver(spark: SparkSession, day: date, rows: int) -> DataFrame:
    """``rows`` valid transactions of IST ``day`` in silver's schema: one state each, and for
    :data:`PENDING_FIRST_PERCENT` % of the resolved ones a PENDING state two seconds before."""
    silver_schema = valid_events(validate(bronze_of(spark), ValidationRules())).schema

    def draw(k: int) -> Column:
        return F.abs(F.xxhash64("id", F.lit(k)))

    midnight = datetime.combine(day, time(), tzinfo=IST).timestamp()
    share = draw(4) % 100
    status = F.when(share < 92, "SUCCESS").when(share < 98, "FAILED").otherwise("PENDING")
    p2m = draw(6) % 100 < 62
    event_time = F.timestamp_seconds(F.lit(midnight) + (draw(5) % 86_400_000) / 1000)
    frame = spark.range(rows, numPartitions=8).select(
        # As the generator's: the PSP's prefix and 128 random bits in hex (md5 of the row number: unique).
        F.concat(F.lit("YBL"), F.md5(F.col("id").cast("string"))).alias("txn_id"),
        F.concat(F.lit("payer"), draw(1) % 200_000, F.lit("@ybl")).alias("payer_vpa"),
        F.concat(F.lit("shop"), draw(2) % 20_000, F.lit("@okaxis")).alias("payee_vpa"),
        ((draw(3) % 500_000 + 1) / 100).alias("amount"),
        status.alias("status"),
        event_time.alias("event_time"),
        F.when(p2m, "P2M").otherwise("P2P").alias("txn_type"),
        _pick(PSPS, draw(7)).alias("payer_psp"),
        _pick(BANKS, draw(8)).alias("payer_bank"),
        _pick(BANKS, draw(9)).alias("payee_bank"),
        F.when(p2m, F.concat(F.lit("M"), F.lpad((draw(2) % 20_000).cast("string"), 6, "0"))).alias(
            "merchant_id"
        ),
        F.when(p2m, _pick(("5411", "5812", "5541", "4814"), draw(10))).alias("mcc"),
        F.when(status == "SUCCESS", "00")
        .when(status == "FAILED", _pick(FAILURE_CODES, draw(11)))
        .alias("response_code"),
        F.when(p2m, "QR").otherwise("VPA").alias("channel"),
        F.lit(day).alias("event_date"),
        F.lit("bench").alias("kafka_topic"),
        (draw(12) % 2).alias("kafka_partition"),
        F.col("id").alias("kafka_offset"),
        (event_time + F.expr("INTERVAL 1 SECOND")).alias("ingest_time"),
    )
    resolved = (F.col("status") != "PENDING") & (draw(13) % 100 < PENDING_FIRST_PERCENT)
    earlier = F.greatest(
        F.col("event_time") - F.expr("INTERVAL 2 SECONDS"), F.timestamp_seconds(F.lit(midnight))
    )
    pending_first = frame.where(resolved).select(
        *[
            F.col(c)
            for c in frame.columns
            if c not in ("status", "response_code", "event_time", "kafka_offset")
        ],
        F.lit("PENDING").alias("status"),
        F.lit(None).cast("string").alias("response_code"),
        earlier.alias("event_time"),
        (F.col("kafka_offset") + rows).alias("kafka_offset"),
    )
    states = frame.unionByName(pending_first)
    return states.select(*(F.col(f.name).cast(f.dataType) for f in silver_schema.fields))


def _baseline_seconds(spark: SparkSession, settings: Settings) -> float:
    """Seconds to read the day's silver and shuffle it by ``txn_id``, written nowhere."""
    started = perf_counter()
    silver = spark.read.format("delta").load(settings.table_uri(tables.SILVER))
    silver.repartition("txn_id").write.format("noop").mode("overwrite").save()
    return perf_counter() - started


def _time_one_day(spark: SparkSession, stack: Settings, folder: Path, rows: int) -> dict[str, Any]:
    settings = load_settings(
        lake_uri=f"file://{folder}/lake-{rows}",
        postgres_dsn=create_database(stack.dsn, f"upi_bench_gold_{uuid.uuid4().hex[:8]}"),
        quality_dir=folder / f"quality-{rows}",
    )
    synthetic_silver(spark, DAY, rows).write.format("delta").partitionBy("event_date").save(
        settings.table_uri(tables.SILVER)
    )
    baseline = _baseline_seconds(spark, settings)
    mark = stage_mark(spark)
    run = run_gold(spark, settings, DAY)
    return {
        "rows": rows,
        "transactions": run.transactions,
        "seconds": run.seconds,
        "baseline_seconds": baseline,
        "vs_baseline": run.seconds / baseline,
        "great_expectations_seconds": run.quality_seconds,
        "great_expectations_share": run.quality_seconds / run.seconds,
        "suites": {o.suite: round(o.seconds, 2) for o in run.outcomes},
        "steps": {name: round(seconds, 2) for name, seconds in run.steps.items()},
        "slowest_stages": slowest_stages(spark, since=mark),
    }


def _figure(result: dict[str, Any]) -> Figure:
    days = result["days"]
    labels = [f"{d['rows'] / 1e6:g}M" for d in days]
    figure = Figure(figsize=(7, 4.5))
    axes = figure.subplots()
    below = [0.0] * len(days)
    names = dict.fromkeys(name for d in days for name in d["steps"])
    palette = colormaps["tab20"]
    for index, name in enumerate(names):
        seconds = [d["steps"].get(name, 0.0) for d in days]
        axes.bar(labels, seconds, bottom=below, label=name, color=palette(index % palette.N))
        below = [b + s for b, s in zip(below, seconds, strict=True)]
    axes.bar(labels, [d["seconds"] - b for d, b in zip(days, below, strict=True)], bottom=below,
             label="other (row-count bounds, counts)", color="#cccccc")  # fmt: skip
    axes.set_ylabel("seconds")
    axes.set_xlabel("transactions in the day")
    axes.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1))
    return titled(figure, "Gold job wall time per day size, by step (suites: Great Expectations)")


def run_gold_benchmark(stack: Settings, config: GoldBenchmark, folder: Path) -> tuple[dict[str, Any], Figure]:
    """Time the gold job on a synthetic day of each size; return the result and its plot."""
    spark = build_spark(stack, "upi-bench-gold", driver_memory=stack.gold_driver_memory)
    result = {"days": [_time_one_day(spark, stack, folder, rows) for rows in sorted(config.sizes)]}
    return result, _figure(result)
