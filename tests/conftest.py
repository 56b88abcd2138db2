"""Shared fixtures: one local SparkSession per test session (Delta, UTC, few partitions, no UI).

The session carries the S3A settings of the local S3 server too, so integration tests can read an
``s3a://`` lake; unit tests never touch it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pyspark.sql import SparkSession

from spark_jobs.session import build_spark
from upi.settings import load_settings


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    session = build_spark(load_settings(lake_uri="s3a://lake/tests"), "upi-tests", ui=False)
    session.conf.set("spark.sql.shuffle.partitions", "2")
    yield session
    session.stop()
