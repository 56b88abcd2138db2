"""The Kafka source of the streaming job.

``failOnDataLoss`` is on: if retention deleted records the job has not read yet, the job stops rather than
silently skipping payments. ``kafka.group.id`` is not set: Spark tracks offsets in its checkpoint.
"""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession

from upi.settings import Settings


def read_kafka(spark: SparkSession, settings: Settings) -> DataFrame:
    """A streaming DataFrame of the raw records of ``settings.kafka_topic`` (headers included)."""
    return (
        spark.readStream.format("kafka")
        .option("kafka.bootstrap.servers", settings.kafka_bootstrap)
        .option("subscribe", settings.kafka_topic)
        .option("startingOffsets", settings.starting_offsets)
        .option("failOnDataLoss", "true")
        .option("maxOffsetsPerTrigger", str(settings.max_offsets_per_trigger))
        .option("includeHeaders", "true")
        .load()
    )
