"""Delta tables of the lake: created up front with their schema, appended to idempotently.

Example::

    >>> ensure_table(spark, uri, schema, partition_by=["ingest_date"])        # doctest: +SKIP
    >>> append_once(batch_df, uri, app_id=query_id, batch_id=7, partition_by=["ingest_date"])
"""

from __future__ import annotations

from collections.abc import Sequence

from delta.tables import DeltaTable
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.types import StructType


def ensure_table(spark: SparkSession, uri: str, schema: StructType, partition_by: Sequence[str] = ()) -> None:
    """Create an empty Delta table at ``uri`` unless one is there, so readers never find it missing."""
    if DeltaTable.isDeltaTable(spark, uri):
        return
    empty = spark.createDataFrame([], schema)
    empty.write.format("delta").mode("append").partitionBy(*partition_by).save(uri)


def append_once(
    batch: DataFrame, uri: str, *, app_id: str, batch_id: int, partition_by: Sequence[str] = ()
) -> None:
    """Append ``batch`` unless this (app_id, batch_id) was already written: a replayed batch writes nothing."""
    (
        batch.write.format("delta")
        .mode("append")
        .option("txnAppId", app_id)
        .option("txnVersion", str(batch_id))
        .partitionBy(*partition_by)
        .save(uri)
    )


def replace_partition(frame: DataFrame, uri: str, column: str, value: str) -> None:
    """Make ``frame`` the whole of partition ``column = value`` of the table at ``uri`` (created if missing),
    atomically (Delta ``replaceWhere``): a rerun replaces what an earlier run wrote."""
    (
        frame.write.format("delta")
        .mode("overwrite")
        .option("replaceWhere", f"{column} = '{value}'")
        .partitionBy(column)
        .save(uri)
    )
