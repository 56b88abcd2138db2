"""The checkpoint file manager Spark picks for the job's checkpoints: local files or S3."""

from __future__ import annotations

from pathlib import Path

from pyspark.sql import SparkSession

from spark_jobs.session import ABORTABLE_CHECKPOINTS, FILE_SYSTEM_CHECKPOINTS, spark_conf
from upi.settings import load_settings


def _checkpoint_manager(spark: SparkSession, uri: str) -> str:
    jvm = spark.sparkContext._jvm
    assert jvm is not None
    hadoop_conf = spark._jsparkSession.sessionState().newHadoopConf()
    managers = jvm.org.apache.spark.sql.execution.streaming.checkpointing.CheckpointFileManager
    return str(managers.create(jvm.org.apache.hadoop.fs.Path(uri), hadoop_conf).getClass().getName())


def test_local_checkpoints_are_renamed_through_the_file_system_rather_than_file_context(
    spark: SparkSession, tmp_path: Path
) -> None:
    assert _checkpoint_manager(spark, tmp_path.as_uri()) == FILE_SYSTEM_CHECKPOINTS


def test_s3_checkpoints_are_written_through_abortable_streams() -> None:
    conf = spark_conf(load_settings(checkpoint_uri="s3a://lake/checkpoints"))

    assert conf["spark.sql.streaming.checkpointFileManagerClass"] == ABORTABLE_CHECKPOINTS
