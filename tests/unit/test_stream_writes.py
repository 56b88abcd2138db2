"""The refine batch's writes run together: all of them run, and a failure surfaces after the others ended."""

from __future__ import annotations

import threading
import time

import pytest
from pyspark.sql import SparkSession

from spark_jobs.parallel import run_together


def test_every_write_runs_on_its_own_thread(spark: SparkSession) -> None:
    threads: list[int] = []
    barrier = threading.Barrier(3, timeout=30)

    def write() -> None:
        barrier.wait()  # passes only when all three run at the same time
        threads.append(threading.get_ident())

    run_together(spark, write, write, write)
    assert len(set(threads)) == 3


def test_a_failed_write_is_raised_after_the_other_writes_finished(spark: SparkSession) -> None:
    finished: list[str] = []

    def fails() -> None:
        raise RuntimeError("silver append failed")

    def slow() -> None:
        time.sleep(0.5)
        finished.append("postgres")

    with pytest.raises(RuntimeError, match="silver append failed"):
        run_together(spark, fails, slow)
    assert finished == ["postgres"]


def test_writes_see_the_spark_properties_of_the_calling_thread(spark: SparkSession) -> None:
    seen: list[str | None] = []
    spark.sparkContext.setLocalProperty("sql.streaming.queryId", "query-7")
    try:
        run_together(spark, lambda: seen.append(spark.sparkContext.getLocalProperty("sql.streaming.queryId")))
    finally:
        spark.sparkContext.setLocalProperty("sql.streaming.queryId", None)  # type: ignore[arg-type]
    assert seen == ["query-7"]
