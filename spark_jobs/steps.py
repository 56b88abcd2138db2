"""Where a batch job's time goes: wall time per named step, and each step's name on its jobs in the Spark UI.

Example::

    >>> steps = Steps(spark)                                    # doctest: +SKIP
    >>> with steps.timed("final states"):                       # doctest: +SKIP
    ...     transactions = day_transactions(...).persist()
    ...     transactions.count()
    >>> steps.seconds                                           # doctest: +SKIP
    {'final states': 41.2}
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from pyspark.sql import SparkSession

JOB_DESCRIPTION = "spark.job.description"


@dataclass
class Steps:
    """The wall seconds of each step timed so far, in the order they first ran (a step timed twice adds up)."""

    spark: SparkSession
    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def timed(self, name: str) -> Iterator[None]:
        """Time the block as step ``name``; the Spark jobs it starts (from this thread, or from threads that
        inherit its properties) carry ``name`` as their description in the UI and its REST API."""
        context = self.spark.sparkContext
        outer = context.getLocalProperty(JOB_DESCRIPTION)
        context.setJobDescription(name)
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started
            context.setLocalProperty(JOB_DESCRIPTION, outer)  # type: ignore[arg-type]
