"""Reconciliation counts of one topic through the lake and warehouse: what each layer holds of it.

bronze = silver + quarantined + dropped, where ``dropped`` is the valid records the dedup step removed.

Example::

    >>> counts = reconcile(spark, settings)   # doctest: +SKIP
    >>> counts.bronze == counts.silver + counts.quarantined + counts.dropped
    True
"""

from __future__ import annotations

from contextlib import closing
from dataclasses import dataclass

import psycopg2
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from spark_jobs import tables
from upi.settings import Settings
from warehouse import sql


@dataclass(frozen=True)
class Reconciliation:
    bronze: int
    quarantined: int
    silver: int
    postgres_rows: int
    quarantine_reasons: dict[str, int]

    @property
    def dropped(self) -> int:
        """Valid records that did not reach silver: redeliveries (and, for now, records behind the watermark)."""
        return self.bronze - self.quarantined - self.silver


def reconcile(spark: SparkSession, settings: Settings) -> Reconciliation:
    """Count the records of ``settings.kafka_topic`` in bronze, quarantine, silver and Postgres."""

    def read(table: str) -> DataFrame:
        frame = spark.read.format("delta").load(settings.table_uri(table))
        return frame.where(F.col("kafka_topic") == settings.kafka_topic)

    quarantine = read(tables.QUARANTINE)
    reasons = {row["reason"]: int(row["count"]) for row in quarantine.groupBy("reason").count().collect()}
    with closing(psycopg2.connect(settings.dsn)) as conn, conn.cursor() as cur:
        cur.execute(sql("count_clean_upi_transactions"), {"topic": settings.kafka_topic})
        (postgres_rows,) = cur.fetchone() or (0,)
    return Reconciliation(
        bronze=read(tables.BRONZE).count(),
        quarantined=sum(reasons.values()),
        silver=read(tables.SILVER).count(),
        postgres_rows=int(postgres_rows),
        quarantine_reasons=reasons,
    )
