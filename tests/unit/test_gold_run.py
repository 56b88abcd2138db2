"""What a gold run reports about its own time."""

from __future__ import annotations

import uuid
from datetime import date

from spark_jobs.gold import GX_CONTEXT, GoldRun
from spark_jobs.quality import SuiteOutcome


def _run(steps: dict[str, float]) -> GoldRun:
    outcomes = [
        SuiteOutcome("silver_day", True, 9, 0, seconds=2.0),
        SuiteOutcome("gold_day", True, 6, 0, seconds=1.0),
    ]
    return GoldRun(date(2026, 11, 25), uuid.uuid4(), True, 100, {"gold_hourly": 24}, outcomes, 30.0, steps)


def test_the_great_expectations_time_counts_opening_its_context_and_running_the_suites() -> None:
    assert _run({"final states": 20.0, GX_CONTEXT: 1.5}).quality_seconds == 4.5


def test_the_steps_line_lists_each_step_in_the_order_it_ran() -> None:
    line = _run({"final states": 20.04, GX_CONTEXT: 1.5, "publish to Postgres": 0.31}).steps_line()
    assert line == "steps: final states 20.0s, Great Expectations context 1.5s, publish to Postgres 0.3s"
