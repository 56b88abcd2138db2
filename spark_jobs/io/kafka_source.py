"""The Kafka source of the streaming job.

``failOnDataLoss`` is on: if retention deleted records the job has not read yet, the job stops rather than
silently skipping payments. ``kafka.group.id`` is not set: Spark tracks offsets in its checkpoint.
"""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.streaming.query import StreamingQuery

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
        # Ride out a broker restart (about 10 s) instead of failing the query on the third offset lookup.
        .option("fetchOffset.numRetries", "30")
        .option("fetchOffset.retryIntervalMs", "1000")
        .load()
    )


def failed_in_kafka_metrics(query: StreamingQuery) -> bool:
    """Whether ``query`` died of SPARK-55271: Spark 4.1.1's Kafka source throws a NullPointerException
    while reporting progress of a micro-batch replayed after a crash.

    The exception comes after the batch's commit is logged, so restarting the query is safe and it goes
    on normally (the next batch computes the offsets the metrics need). Fixed upstream after 4.1.1.
    """
    failure = query._jsq.exception()
    if failure.isEmpty():
        return False
    cause = failure.get().cause()
    if cause is None or cause.getClass().getName() != "java.lang.NullPointerException":
        return False
    return any(
        frame.getClassName().startswith("org.apache.spark.sql.kafka010.KafkaMicroBatchStream")
        and frame.getMethodName() == "metrics"
        for frame in cause.getStackTrace()
    )
