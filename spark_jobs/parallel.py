"""Independent Spark writes run at once, from threads that carry the caller's Spark properties and tags.

Example::

    >>> run_together(spark, lambda: write_silver(batch), lambda: upsert_postgres(batch))   # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from pyspark import inheritable_thread_target
from pyspark.sql import SparkSession


def run_together(spark: SparkSession, *writes: Callable[[], object]) -> None:
    """Run ``writes`` at once, each thread with the caller's Spark properties and tags (a streaming query's
    id, a job group); raise the first failure once all have ended.

    Only for writes that do not depend on each other's order: each must be idempotent or atomic on its own.
    """
    inherit = inheritable_thread_target(spark)
    with ThreadPoolExecutor(max_workers=len(writes)) as pool:
        futures = [pool.submit(inherit(write)) for write in writes]
    for future in futures:
        future.result()
