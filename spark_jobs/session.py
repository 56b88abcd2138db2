"""Build the SparkSession every job uses: Delta, the Kafka source, S3A and the RocksDB state store.

Example::

    >>> from upi.settings import load_settings
    >>> from spark_jobs.session import build_spark
    >>> spark = build_spark(load_settings(), "upi-stream")   # doctest: +SKIP
"""

from __future__ import annotations

import os
import sys

from pyspark.sql import SparkSession

from upi.settings import ConfigError, Settings
from upi.stack.spark_jars import installed_spark_jars

ROCKSDB_PROVIDER = "org.apache.spark.sql.execution.streaming.state.RocksDBStateStoreProvider"
ABORTABLE_CHECKPOINTS = "org.apache.spark.internal.io.cloud.AbortableStreamBasedCheckpointFileManager"
FILE_SYSTEM_CHECKPOINTS = (
    "org.apache.spark.sql.execution.streaming.checkpointing.FileSystemBasedCheckpointFileManager"
)
JVM_OPTIONS = "-XX:-DontCompileHugeMethods"
"""Options of a job's JVM, which a ``spark-submit`` driver must be given itself (``--driver-java-options``).

The JIT leaves methods of over 8,000 bytes of bytecode interpreted. Validation's generated loop is 8,252:
compiled, it costs 30 % less CPU (200k records: 17.5 s -> 12.0 s). Spark's own limit is 64 KB."""


def spark_conf(settings: Settings, *, driver_memory: str | None = None) -> dict[str, str]:
    """The Spark settings of a session for ``settings`` (its driver's heap ``driver_memory``, by default
    ``settings.spark_driver_memory``); pure, so tests can read it."""
    conf = {
        "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
        "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
        "spark.sql.session.timeZone": "UTC",
        "spark.driver.host": "127.0.0.1",
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.driver.memory": driver_memory or settings.spark_driver_memory,
        "spark.driver.extraJavaOptions": JVM_OPTIONS,
        "spark.executor.extraJavaOptions": JVM_OPTIONS,
        "spark.sql.shuffle.partitions": "4",
        "spark.databricks.delta.snapshotPartitions": "2",
        "spark.sql.streaming.stateStore.providerClass": ROCKSDB_PROVIDER,
        # Commit a micro-batch's state changes as a changelog instead of uploading RocksDB's files each time
        # (779 ms -> 320 ms per commit measured on 200k rows); snapshots are made in the background.
        "spark.sql.streaming.stateStore.rocksdb.changelogCheckpointing.enabled": "true",
        # No extra micro-batch just to evict dedup state when the watermark moves: at 1k events/s every other
        # refine batch was one (0.7 s each, delaying the next data batch); data batches evict as they go.
        "spark.sql.streaming.noDataMicroBatches.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        # Compiled code is cached by its source; Delta's log checkpoints and validation compile ~40 classes of
        # up to 13k lines, which the default 100 entries evicted between uses (a second or more each time).
        "spark.sql.codegen.cache.maxEntries": "1000",
        # Cached frames (a refine batch, a gold day) are read a few times and then dropped: encoding their
        # columns cost more than it saved (the stage caching a 10M-transaction day: 34 s compressed, 19 s not).
        "spark.sql.inMemoryColumnarStorage.compressed": "false",
        # Keeping a transaction's final state (row_number() = 1 per txn_id) would otherwise sort every row
        # before the shuffle as well, to drop losers early: nearly every txn_id has a single state, so that
        # sort drops nothing (a 10M-transaction gold day: 40-55 s of CPU before the shuffle -> 23-32 s).
        "spark.sql.optimizer.windowGroupLimitThreshold": "-1",
        # Validation derives ~60 aliased columns; inferring constraints over them is exponential in a
        # streaming plan (the driver ran out of memory planning 2k rows). Nothing here relies on it.
        "spark.sql.constraintPropagation.enabled": "false",
    }
    if settings.uses_s3:
        conf |= {
            "spark.hadoop.fs.s3a.endpoint": settings.s3_endpoint,
            "spark.hadoop.fs.s3a.endpoint.region": "us-east-1",
            "spark.hadoop.fs.s3a.path.style.access": "true",
            "spark.hadoop.fs.s3a.connection.ssl.enabled": str(settings.s3_endpoint.startswith("https")).lower(),
            "spark.hadoop.fs.s3a.aws.credentials.provider":
                "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider",
            "spark.hadoop.fs.s3a.access.key": settings.s3_access_key,
            "spark.hadoop.fs.s3a.secret.key": settings.s3_secret_key.get_secret_value(),
            "spark.hadoop.fs.s3a.committer.magic.enabled": "false",
        }  # fmt: skip
    if settings.checkpoint_uri.startswith("s3a://"):
        # Checkpoint files on S3 must appear whole or not at all: write them through abortable streams.
        conf["spark.sql.streaming.checkpointFileManagerClass"] = ABORTABLE_CHECKPOINTS
    else:
        # Local checkpoint files are written to a temporary name and renamed, as by Spark's default manager,
        # but through FileSystem rather than FileContext. On local files FileContext's rename checks the
        # target as FileSystem's does (neither is atomic there), yet resolves links by starting a `readlink`
        # process (no Hadoop native library here) for every offset, commit and state changelog file: 45 a
        # second at 1k events/s; a refine batch's checkpoint commits 100 ms -> 25 ms, the batch 0.3-0.8 s shorter.
        conf["spark.sql.streaming.checkpointFileManagerClass"] = FILE_SYSTEM_CHECKPOINTS
    return conf


def build_spark(
    settings: Settings, app_name: str, *, ui: bool = True, driver_memory: str | None = None
) -> SparkSession:
    """Return the session for a job; under ``spark-submit --jars …`` the jars given there are kept.

    ``driver_memory`` (default ``settings.spark_driver_memory``) applies when this call starts the JVM: a
    ``spark-submit`` driver gets its heap from ``--driver-memory`` or ``--conf spark.driver.memory``."""
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.master(settings.spark_master).appName(app_name)
    for key, value in spark_conf(settings, driver_memory=driver_memory).items():
        builder = builder.config(key, value)
    builder = builder.config("spark.ui.enabled", str(ui).lower())
    if not _jars_given_by_spark_submit():
        jars = installed_spark_jars(settings.cache_dir)
        if jars is None:
            raise ConfigError(
                f"UPI_CACHE_DIR: no Spark jars under {settings.cache_dir}; run `upi stack up` to install them"
            )
        builder = builder.config("spark.driver.extraClassPath", ":".join(str(j) for j in jars))
        if not settings.spark_master.startswith("local"):
            builder = builder.config("spark.jars", ",".join(str(j) for j in jars))
        # With a local master the executors live in the driver's JVM: the class path is enough, and the
        # ~650 MB of jars are not copied into a new /tmp/spark-* directory by every session (a SIGKILLed
        # driver never removes its copy).
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    return spark


def _jars_given_by_spark_submit() -> bool:
    """True when spark-submit launched this driver with ``--jars`` or ``--driver-class-path`` (its JVM
    already has them)."""
    if "PYSPARK_GATEWAY_PORT" not in os.environ:
        return False
    from pyspark import SparkConf

    conf = SparkConf()
    return bool(conf.get("spark.jars", "") or conf.get("spark.driver.extraClassPath", ""))
