"""Kafka record → bronze row: the record exactly as received, plus when we received it.

Example::

    >>> bronze = to_bronze(spark.readStream.format("kafka")...load())   # doctest: +SKIP
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

BRONZE_PARTITION = "ingest_date"


def batch_timestamp() -> Column:
    """``current_timestamp()``: fixed per micro-batch by Spark, and kept out of the generated code.

    Spark writes a micro-batch's timestamp into the Java source of the stage that reads it, so each batch
    had new source to compile (~0.1 s) and new classes for the JIT, for both queries. Spark generates no
    code for a higher-order function's expression (it is interpreted), so the source stays the same.
    """
    return F.transform(F.array(F.current_timestamp()), lambda now: now)[0]


def to_bronze(kafka_records: DataFrame, ingest_time: Column | None = None) -> DataFrame:
    """Keep value bytes, key, Kafka coordinates, timestamp and headers; add ``ingest_time``/``ingest_date``.

    ``ingest_time`` defaults to the micro-batch's :func:`batch_timestamp`, which Spark fixes per batch,
    so a replayed batch gets the same value.
    """
    received = ingest_time if ingest_time is not None else batch_timestamp()
    columns = [
        F.col("key"),
        F.col("value"),
        F.col("topic").alias("kafka_topic"),
        F.col("partition").alias("kafka_partition"),
        F.col("offset").alias("kafka_offset"),
        F.col("timestamp").alias("kafka_timestamp"),
    ]
    if "headers" in kafka_records.columns:
        columns.append(F.col("headers").alias("kafka_headers"))
    return (
        kafka_records.select(*columns)
        .withColumn("ingest_time", received)
        .withColumn(BRONZE_PARTITION, F.to_date("ingest_time"))
    )
