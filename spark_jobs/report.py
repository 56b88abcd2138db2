"""Reconciliation counts of one lake and warehouse: what each layer holds, and the identity between them.

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
from pyspark.sql import SparkSession

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
    """Count bronze, quarantine and silver in the lake and the rows of ``clean_upi_transactions``."""
    read = spark.read.format("delta").load
    quarantine = read(settings.table_uri(tables.QUARANTINE))
    reasons = {row["reason"]: int(row["count"]) for row in quarantine.groupBy("reason").count().collect()}
    with closing(psycopg2.connect(settings.dsn)) as conn, conn.cursor() as cur:
        cur.execute(sql("count_clean_upi_transactions"))
        (postgres_rows,) = cur.fetchone() or (0,)
    return Reconciliation(
        bronze=read(settings.table_uri(tables.BRONZE)).count(),
        quarantined=sum(reasons.values()),
        silver=read(settings.table_uri(tables.SILVER)).count(),
        postgres_rows=int(postgres_rows),
        quarantine_reasons=reasons,
    )
