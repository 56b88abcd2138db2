"""The contract rules of spark_jobs.transforms.validate: one reason code per broken rule, exact typed values."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from chispa import assert_df_equality
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from spark_jobs.transforms.validate import REASONS, ValidationRules, quarantined, valid_events, validate
from tests.builders import DROP, bronze_of, encode, good_event

RULES = ValidationRules(
    max_amount_inr=Decimal("500000.00"), max_payload_bytes=2048, future_tolerance_seconds=300
)


def reason_of(spark: SparkSession, payload: bytes) -> tuple[str | None, str | None]:
    row = validate(bronze_of(spark, payload), RULES).select("reason", "reason_detail").first()
    assert row is not None
    return row["reason"], row["reason_detail"]


def test_a_valid_event_is_typed_exactly_with_its_ist_business_day(spark: SparkSession) -> None:
    checked = validate(bronze_of(spark, encode(good_event())), RULES)
    actual = valid_events(checked).select("txn_id", "amount", "status", "event_time", "event_date", "mcc")
    expected = spark.createDataFrame(
        [("YBL0f3c2a9d4e5b6c7d8e9f00112233445", Decimal("149.50"), "SUCCESS",
          datetime(2026, 11, 25, 5, 45, 30, 250000), date(2026, 11, 25), "5411")],
        "txn_id string, amount decimal(12,2), status string, event_time timestamp, event_date date, mcc string",
    )  # fmt: skip
    assert_df_equality(actual, expected, ignore_nullable=True)


def test_an_event_after_1830_utc_belongs_to_the_next_ist_day(spark: SparkSession) -> None:
    event = good_event(event_time="2026-11-24T18:30:00Z")
    row = valid_events(validate(bronze_of(spark, encode(event)), RULES)).select("event_date").first()
    assert row is not None and row["event_date"] == date(2026, 11, 25)


def test_a_json_number_amount_is_kept_to_the_paisa(spark: SparkSession) -> None:
    payload = encode(good_event(amount=DROP))[:-1] + b', "amount": 99999.99}'
    row = valid_events(validate(bronze_of(spark, payload), RULES)).select("amount").first()
    assert row is not None and row["amount"] == Decimal("99999.99")


def test_unknown_extra_keys_are_not_a_reason_to_reject(spark: SparkSession) -> None:
    assert reason_of(spark, encode(good_event(device_os="android", geo={"lat": 12.9}))) == (None, None)


def test_a_key_differing_only_in_case_does_not_stand_in_for_a_contract_field(spark: SparkSession) -> None:
    payload = encode(good_event())[:-1] + b', "TXN_ID": "bad id!"}'
    row = validate(bronze_of(spark, payload), ValidationRules()).first()
    assert row is not None
    assert (row["reason"], row["txn_id"]) == (None, good_event()["txn_id"])


@pytest.mark.parametrize(
    ("payload", "reason", "detail"),
    [
        pytest.param(b"x" * 3000, "payload_too_large", "3000", id="payload_too_large"),
        pytest.param(b"\xff\xfe{}", "not_utf8", None, id="not_utf8"),
        pytest.param(b"{not json", "not_json", None, id="not_json"),
        pytest.param(b"[1, 2]", "not_object", "ARRAY<BIGINT>", id="not_object"),
        pytest.param(b"null", "not_object", "VOID", id="json_null"),
        pytest.param(
            encode(good_event(payee_vpa=DROP)), "missing_required_key", "payee_vpa", id="missing_key"
        ),
        pytest.param(encode(good_event(status=None)), "missing_required_key", "status", id="null_required"),
        pytest.param(encode(good_event(txn_id=12345)), "wrong_type", "txn_id", id="wrong_type_txn_id"),
        pytest.param(encode(good_event(amount=True)), "wrong_type", "amount", id="wrong_type_amount"),
        pytest.param(
            encode(good_event(amount=DROP))[:-1] + b', "amount": 1.5e3}',
            "wrong_type",
            "amount",
            id="exponent",
        ),
        pytest.param(encode(good_event(mcc=5411)), "wrong_type", "mcc", id="wrong_type_optional"),
        pytest.param(encode(good_event(txn_id="bad id!")), "invalid_txn_id", "bad id!", id="invalid_txn_id"),
        pytest.param(
            encode(good_event(payer_vpa="no-at-sign")), "malformed_vpa", "payer_vpa", id="payer_vpa"
        ),
        pytest.param(encode(good_event(payee_vpa="x@1bank")), "malformed_vpa", "payee_vpa", id="payee_vpa"),
        pytest.param(encode(good_event(amount="12,00")), "amount_not_decimal", "12,00", id="amount_text"),
        pytest.param(
            encode(good_event(amount="10.005")), "amount_too_precise", "10.005", id="three_decimals"
        ),
        pytest.param(encode(good_event(amount="0.00")), "amount_not_positive", "0.00", id="zero"),
        pytest.param(encode(good_event(amount="-5.00")), "amount_not_positive", "-5.00", id="negative"),
        pytest.param(
            encode(good_event(amount="500000.01")), "amount_over_limit", "500000.01", id="over_limit"
        ),
        pytest.param(
            encode(good_event(status="REVERSED")), "unknown_status", "REVERSED", id="unknown_status"
        ),
        pytest.param(
            encode(good_event(event_time="2026-11-25 11:15:30")),
            "invalid_event_time",
            "2026-11-25 11:15:30",
            id="no_offset",
        ),
        pytest.param(
            encode(good_event(event_time="2026-13-45T11:15:30Z")),
            "invalid_event_time",
            "2026-13-45T11:15:30Z",
            id="impossible_date",
        ),
        pytest.param(
            encode(good_event(event_time="2026-11-25T06:05:01Z")),
            "event_time_in_future",
            "2026-11-25T06:05:01Z",
            id="future",
        ),
        pytest.param(encode(good_event(txn_type="B2B")), "invalid_optional_field", "txn_type", id="txn_type"),
        pytest.param(encode(good_event(mcc="54110")), "invalid_optional_field", "mcc", id="mcc"),
    ],
)
def test_each_broken_rule_is_quarantined_with_its_reason(
    spark: SparkSession, payload: bytes, reason: str, detail: str | None
) -> None:
    assert reason_of(spark, payload) == (reason, detail)


def test_the_event_time_tolerance_is_measured_from_ingest_time_not_the_clock(spark: SparkSession) -> None:
    assert reason_of(spark, encode(good_event(event_time="2026-11-25T06:05:00Z"))) == (None, None)


def test_every_reason_code_is_covered_by_a_test() -> None:
    tested = {"payload_too_large", "not_utf8", "not_json", "not_object", "missing_required_key", "wrong_type",
              "invalid_txn_id", "malformed_vpa", "amount_not_decimal", "amount_too_precise", "amount_not_positive",
              "amount_over_limit", "unknown_status", "invalid_event_time", "event_time_in_future",
              "invalid_optional_field"}  # fmt: skip
    assert tested == set(REASONS)


def test_valid_and_quarantined_split_every_record_exactly_once(spark: SparkSession) -> None:
    payloads = [encode(good_event(txn_id=f"T{i}")) for i in range(5)] + [
        b"nope",
        encode(good_event(amount="0")),
    ]
    checked = validate(bronze_of(spark, *payloads), RULES).cache()
    assert valid_events(checked).count() == 5
    assert quarantined(checked).count() == 2
    offsets = valid_events(checked).select("kafka_offset").union(quarantined(checked).select("kafka_offset"))
    assert sorted(r[0] for r in offsets.collect()) == list(range(7))


def test_quarantine_keeps_the_raw_payload_and_its_kafka_coordinates(spark: SparkSession) -> None:
    row = quarantined(validate(bronze_of(spark, b"{not json"), RULES)).first()
    assert row is not None
    assert (bytes(row["value"]), row["value_text"], row["kafka_topic"], row["kafka_offset"]) == (
        b"{not json", "{not json", "upi_transactions", 0,
    )  # fmt: skip


def test_invalid_rows_carry_no_typed_amount_or_event_time(spark: SparkSession) -> None:
    checked = validate(bronze_of(spark, encode(good_event(amount="0.00"))), RULES)
    row = checked.select(F.col("amount"), F.col("event_time")).first()
    assert row is not None and (row["amount"], row["event_time"]) == (None, None)


def test_valid_records_carry_no_raw_payload_past_validation(spark: SparkSession) -> None:
    row = validate(bronze_of(spark, encode(good_event())), RULES).first()
    assert row is not None
    assert (row["reason"], row["value"], row["value_text"]) == (None, None, None)
