"""Gold aggregates on small hand-built days, each checked against figures computed by hand."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from chispa import assert_df_equality
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from spark_jobs.transforms.gold import (
    BREAKDOWNS,
    DAY_COLUMNS,
    RANK_COLUMNS,
    by_hour,
    by_merchant,
    by_psp_and_bank,
    by_response_code,
    by_txn_type,
    daily_summary,
    final_states,
    states_deciding_day,
    success_amount_percentiles,
    transactions_of_day,
)
from spark_jobs.transforms.validate import ValidationRules
from tests.builders import DROP, good_event, silver_of
from upi.paths import EXPECTATIONS_DIR

DAY = date(2026, 11, 25)
MORNING = "2026-11-25T11:15:30.250+05:30"


def txn(n: int) -> str:
    return f"YBL{n:032x}"


def day_of(spark: SparkSession, *events: dict[str, Any]) -> DataFrame:
    return transactions_of_day(final_states(silver_of(spark, *events)), DAY)


def payment(n: int, amount: str, status: str = "SUCCESS", **changes: Any) -> dict[str, Any]:
    code = {"SUCCESS": "00", "FAILED": "U30", "PENDING": DROP}[status]
    return good_event(txn_id=txn(n), amount=amount, status=status, response_code=code, **changes)


@pytest.fixture(scope="module")
def mixed_day(spark: SparkSession) -> DataFrame:
    """Three successes (100.00, 200.50, 0.01), one failure (999.99), one still pending (50.00); two payers."""
    return day_of(
        spark,
        payment(1, "100.00"),
        payment(2, "200.50", payer_vpa="ravi.k@okhdfcbank"),
        payment(3, "0.01"),
        payment(4, "999.99", "FAILED"),
        payment(5, "50.00", "PENDING"),
    ).cache()


def test_a_terminal_status_is_final_even_when_a_pending_state_came_later(spark: SparkSession) -> None:
    day = day_of(
        spark,
        payment(1, "10.00", "SUCCESS"),
        payment(1, "10.00", "PENDING", event_time="2026-11-25T11:20:00+05:30"),
    )
    assert [r.status for r in day.collect()] == ["SUCCESS"]


def test_between_two_terminal_states_the_later_event_time_is_final(spark: SparkSession) -> None:
    day = day_of(
        spark, payment(1, "10.00", "FAILED", event_time="2026-11-25T11:20:00+05:30"), payment(1, "10.00")
    )
    assert [r.status for r in day.collect()] == ["FAILED"]


def test_transactions_with_one_state_and_with_several_each_count_once(spark: SparkSession) -> None:
    day = day_of(
        spark,
        payment(1, "10.00", "PENDING", event_time="2026-11-25T11:10:00+05:30"),
        payment(1, "10.00", "SUCCESS"),
        payment(2, "20.00", "FAILED"),
        payment(3, "30.00", "PENDING"),
    )
    assert sorted((r.txn_id, r.status) for r in day.collect()) == [
        (txn(1), "SUCCESS"), (txn(2), "FAILED"), (txn(3), "PENDING"),
    ]  # fmt: skip


def silver_over_days(spark: SparkSession, *events: dict[str, Any]) -> DataFrame:
    """Silver rows of ``events``, which may lie up to three days after the builders' ingest time."""
    return silver_of(spark, *events, rules=ValidationRules(future_tolerance_seconds=3 * 86_400))


def days_final_states(
    spark: SparkSession, *events: dict[str, Any], reach_days: int = 1
) -> list[tuple[str, str]]:
    states = states_deciding_day(silver_over_days(spark, *events), DAY, timedelta(days=reach_days))
    return sorted((r.txn_id, r.status) for r in transactions_of_day(final_states(states), DAY).collect())


def test_a_payment_pending_overnight_counts_on_the_day_it_resolved(spark: SparkSession) -> None:
    resolved_today = [
        payment(1, "10.00", "PENDING", event_time="2026-11-24T23:59:00+05:30"),
        payment(1, "10.00", event_time="2026-11-25T00:01:00+05:30"),
    ]
    resolved_tomorrow = [
        payment(2, "20.00", "PENDING", event_time="2026-11-25T23:59:00+05:30"),
        payment(2, "20.00", "FAILED", event_time="2026-11-26T00:01:00+05:30"),
    ]
    assert days_final_states(spark, *resolved_today, *resolved_tomorrow) == [(txn(1), "SUCCESS")]
    assert days_final_states(spark, *resolved_today, resolved_tomorrow[0]) == [
        (txn(1), "SUCCESS"), (txn(2), "PENDING"),
    ]  # fmt: skip


def test_a_resolution_beyond_the_state_window_leaves_the_payment_pending(spark: SparkSession) -> None:
    pending = payment(1, "10.00", "PENDING", event_time="2026-11-25T23:59:00+05:30")
    resolved = payment(1, "10.00", event_time="2026-11-27T09:00:00+05:30")
    assert days_final_states(spark, pending, resolved, reach_days=1) == [(txn(1), "PENDING")]


def test_the_other_days_states_carry_only_the_columns_that_rank_them(spark: SparkSession) -> None:
    silver = silver_over_days(
        spark, payment(1, "10.00"), payment(2, "20.00", event_time="2026-11-26T09:00:00+05:30")
    )
    states = states_deciding_day(silver, DAY, timedelta(days=1))

    def carried(frame: DataFrame) -> dict[str, set[str]]:
        return {row.txn_id: {c for c, v in row.asDict().items() if v is not None} for row in frame.collect()}

    assert carried(states) == {txn(1): carried(silver)[txn(1)], txn(2): set(RANK_COLUMNS)}


def test_the_ist_day_starts_at_18_30_utc(spark: SparkSession) -> None:
    day = day_of(
        spark,
        payment(1, "1.00", event_time="2026-11-24T18:29:59.999Z"),  # 23:59:59.999 IST on the 24th
        payment(2, "2.00", event_time="2026-11-24T18:30:00.000Z"),  # 00:00 IST on the 25th
    )
    assert [r.txn_id for r in day.collect()] == [txn(2)]


def test_the_first_ist_hour_of_the_day_is_hour_zero(spark: SparkSession) -> None:
    hours = by_hour(day_of(spark, payment(1, "1.00", event_time="2026-11-24T18:30:00.000Z")))
    assert [(r.hour, r.txn_count) for r in hours.collect()] == [(0, 1)]


def test_the_daily_summary_matches_the_hand_computed_figures(
    spark: SparkSession, mixed_day: DataFrame
) -> None:
    expected = spark.createDataFrame(
        [(DAY, 5, 3, 1, 1, Decimal("300.51"), 0.6, Decimal("1350.50"), Decimal("100.17"), Decimal("100.00"),
          Decimal("200.50"), 2, 1)],
        "event_date date, txn_count long, success_count long, failed_count long, pending_count long, "
        "success_amount decimal(20,2), success_rate double, total_amount decimal(20,2), "
        "avg_success_amount decimal(12,2), p50_success_amount decimal(12,2), p95_success_amount decimal(12,2), "
        "distinct_payers long, distinct_payees long",
    )  # fmt: skip
    assert_df_equality(daily_summary(mixed_day), expected, ignore_nullable=True)


def test_the_merchant_breakdown_counts_p2p_payments_under_unknown(spark: SparkSession) -> None:
    day = day_of(
        spark,
        payment(1, "10.00", merchant_id="M0001"),
        payment(2, "20.00", txn_type="P2P", mcc=DROP, payee_vpa="meera@oksbi"),
    )
    rows = {(r.merchant_id, r.mcc): (r.txn_count, r.success_amount) for r in by_merchant(day).collect()}
    assert rows == {("M0001", "5411"): (1, Decimal("10.00")), ("UNKNOWN", "UNKNOWN"): (1, Decimal("20.00"))}


def test_the_psp_breakdown_has_each_psp_and_bank_with_its_success_rate(spark: SparkSession) -> None:
    day = day_of(
        spark,
        payment(1, "10.00", payer_psp="PhonePe", payer_bank="HDFC"),
        payment(2, "20.00", "FAILED", payer_psp="PhonePe", payer_bank="HDFC"),
        payment(3, "30.00", payer_psp="GooglePay", payer_bank="SBIN"),
    )
    rows = {
        (r.payer_psp, r.payer_bank): (r.txn_count, r.success_rate) for r in by_psp_and_bank(day).collect()
    }
    assert rows == {("PhonePe", "HDFC"): (2, 0.5), ("GooglePay", "SBIN"): (1, 1.0)}


def test_the_response_code_breakdown_keeps_each_code_with_its_status(mixed_day: DataFrame) -> None:
    rows = {(r.response_code, r.status): r.txn_count for r in by_response_code(mixed_day).collect()}
    assert rows == {("00", "SUCCESS"): 3, ("U30", "FAILED"): 1, ("UNKNOWN", "PENDING"): 1}


def test_the_txn_type_breakdown_separates_p2p_from_p2m(spark: SparkSession) -> None:
    day = day_of(
        spark, payment(1, "10.00"), payment(2, "20.00", txn_type="P2P"), payment(3, "5.00", txn_type="P2P")
    )
    rows = {r.txn_type: (r.txn_count, r.success_amount) for r in by_txn_type(day).collect()}
    assert rows == {"P2M": (1, Decimal("10.00")), "P2P": (2, Decimal("25.00"))}


@pytest.mark.parametrize("table", [name for name in BREAKDOWNS if name != "gold_daily_summary"])
def test_every_breakdown_adds_up_to_the_daily_summary(mixed_day: DataFrame, table: str) -> None:
    (totals,) = BREAKDOWNS[table](mixed_day).agg(F.sum("txn_count"), F.sum("success_amount")).collect()
    (summary,) = daily_summary(mixed_day).collect()
    assert (totals[0], totals[1]) == (summary.txn_count, summary.success_amount)


AMOUNTS_AROUND_WHOLE_RUPEES = ["0.01", "0.99", "1.00", "1.37", "1.99", "99.99", "100.00", "100.01", "4999.50"]
"""Several paise values in one rupee, and rupee boundaries: the percentiles are found rupee first."""


def test_the_amount_percentiles_are_those_of_sparks_percentile_disc(spark: SparkSession) -> None:
    draw = random.Random(7)
    rows = [
        (DAY + timedelta(days=group), Decimal(draw.choice(AMOUNTS_AROUND_WHOLE_RUPEES)),
         draw.choice(["SUCCESS", "SUCCESS", "FAILED"]))
        for group in range(60)
        for _ in range(draw.randint(1, 41))
    ]  # fmt: skip
    days = spark.createDataFrame(rows, "event_date date, amount decimal(12,2), status string")
    shares = {"p0": 0.0, "p25": 0.25, "p33": 0.33, "p50": 0.5, "p95": 0.95, "p100": 1.0}
    expected = days.where("status = 'SUCCESS'").groupBy("event_date").agg(*(
        F.expr(f"percentile_disc({share}) WITHIN GROUP (ORDER BY amount)").cast("decimal(12,2)").alias(name)
        for name, share in shares.items()
    ))  # fmt: skip
    assert_df_equality(
        success_amount_percentiles(days, shares), expected, ignore_row_order=True, ignore_nullable=True
    )


def test_a_day_keeps_every_column_its_silver_suite_reads(spark: SparkSession, mixed_day: DataFrame) -> None:
    suite = json.loads((EXPECTATIONS_DIR / "silver_day.json").read_text())
    read = {e["kwargs"]["column"] for e in suite["expectations"] if "column" in e["kwargs"]}
    queries = [
        e["kwargs"]["unexpected_rows_query"]
        for e in suite["expectations"]
        if e["type"] == "unexpected_rows_expectation"
    ]
    mixed_day.createOrReplaceTempView("a_day")
    for query in queries:  # analysed at once: fails on a column the day lacks
        spark.sql(query.replace("{batch}", "a_day"))
    assert read <= set(DAY_COLUMNS) and queries


def test_the_average_success_amount_is_sparks_avg_to_the_paisa(spark: SparkSession) -> None:
    draw = random.Random(11)
    rows = [
        (DAY + timedelta(days=group), Decimal(draw.randint(1, 50_000_000)) / 100, "SUCCESS")
        for group in range(200)
        for _ in range(draw.randint(1, 8))  # few amounts a day: many means end in half a paisa
    ]
    days = spark.createDataFrame(rows, "event_date date, amount decimal(12,2), status string").withColumns(
        {"payer_psp": F.lit("PhonePe"), "payer_bank": F.lit("HDFC"), "response_code": F.lit("00"),
         "txn_type": F.lit("P2M"), "event_time": F.lit("2026-11-25T06:00:00Z").cast("timestamp"),
         "payer_vpa": F.lit("a@ybl"), "payee_vpa": F.lit("b@ybl")}
    )  # fmt: skip
    expected = days.groupBy("event_date").agg(
        F.round(F.avg("amount"), 2).cast("decimal(12,2)").alias("avg_success_amount")
    )
    averages = daily_summary(days).select("event_date", "avg_success_amount")
    assert_df_equality(averages, expected, ignore_row_order=True, ignore_nullable=True)


def test_final_states_sort_the_states_once(spark: SparkSession, capsys: pytest.CaptureFixture[str]) -> None:
    final_states(silver_of(spark, payment(1, "10.00"))).explain()
    plan = capsys.readouterr().out
    assert (plan.count("Sort ["), "WindowGroupLimit" in plan) == (1, False)
