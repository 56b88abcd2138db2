"""The gold job's quality gate ``silver_day`` (a Great Expectations suite of ``expectations/``) on a small day."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from spark_jobs.quality import QualityGate
from spark_jobs.transforms.gold import final_states, transactions_of_day
from tests.builders import good_event, silver_of

REQUIRED = ("txn_id", "payer_vpa", "payee_vpa", "amount", "status", "event_time", "event_date")
PARAMETERS = {"max_amount": 500000.0, "min_rows": 1, "max_rows": None}


def _null_for(txn_id: str, column: str) -> Column:
    return F.when(F.col("txn_id") != txn_id, F.col(column)).alias(column)


@pytest.fixture(scope="module")
def day(spark: SparkSession) -> DataFrame:
    """Eight valid transactions of 2026-11-25, ``YBL0`` … ``YBL7``."""
    events = [good_event(txn_id=f"YBL{n}") for n in range(8)]
    return transactions_of_day(final_states(silver_of(spark, *events)), date(2026, 11, 25)).cache()


def test_a_valid_day_passes_the_silver_suite(day: DataFrame, tmp_path: Path) -> None:
    outcome = QualityGate(tmp_path).validate(day, "silver_day", PARAMETERS)
    assert (outcome.success, outcome.failed) == (True, 0)


def test_a_null_in_any_required_column_fails_the_silver_suite(day: DataFrame, tmp_path: Path) -> None:
    """Transaction ``YBL<n>`` loses its n-th required column (the first keeps them all)."""
    hole_in = {column: f"YBL{n}" for n, column in enumerate(REQUIRED, start=1)}
    holed = day.select(*(_null_for(hole_in[c], c) if c in hole_in else c for c in day.columns))
    outcome = QualityGate(tmp_path).validate(holed, "silver_day", PARAMETERS)
    assert outcome.summary() == (
        "silver_day: 1 of 5 expectations failed: unexpected_rows_expectation(no required column is null) observed 7"
    )
