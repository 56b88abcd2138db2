"""Hand-built events and bronze rows shared by the unit and integration tests.

Example::

    >>> encode(good_event(amount="10.00"))[:11]
    b'{"txn_id": '
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pyspark.sql import DataFrame, SparkSession

if TYPE_CHECKING:
    from spark_jobs.transforms.validate import ValidationRules

INGEST = datetime(2026, 11, 25, 6, 0, 0, tzinfo=UTC)
DROP = object()
"""Pass as a field's value to :func:`good_event` to leave the key out."""

BRONZE_SCHEMA = (
    "key binary, value binary, kafka_topic string, kafka_partition int, kafka_offset long, "
    "kafka_timestamp timestamp, ingest_time timestamp, ingest_date date"
)


def good_event(**changes: Any) -> dict[str, Any]:
    """A P2M payment that satisfies the contract, with ``changes`` applied."""
    event: dict[str, Any] = {
        "txn_id": "YBL0f3c2a9d4e5b6c7d8e9f00112233445",
        "payer_vpa": "asha.rao42@ybl",
        "payee_vpa": "kiranastore7@okaxis",
        "amount": "149.50",
        "status": "SUCCESS",
        "event_time": "2026-11-25T11:15:30.250+05:30",
        "txn_type": "P2M",
        "mcc": "5411",
        "response_code": "00",
    }
    event.update(changes)
    return {k: v for k, v in event.items() if v is not DROP}


def encode(event: dict[str, Any]) -> bytes:
    return json.dumps(event).encode()


def bronze_of(spark: SparkSession, *payloads: bytes) -> DataFrame:
    """Bronze rows holding ``payloads`` at offsets 0, 1, … of partition 0, all ingested at :data:`INGEST`."""
    rows = [
        (None, p, "upi_transactions", 0, i, INGEST, INGEST, INGEST.date()) for i, p in enumerate(payloads)
    ]
    return spark.createDataFrame(rows, BRONZE_SCHEMA)


def silver_of(
    spark: SparkSession, *events: dict[str, Any], rules: ValidationRules | None = None
) -> DataFrame:
    """Silver rows of ``events``, through the real validation with ``rules`` (by default the default rules;
    Kafka offsets 0, 1, … in event order)."""
    from spark_jobs.transforms.validate import ValidationRules, valid_events, validate

    batch = bronze_of(spark, *(encode(e) for e in events))
    return valid_events(validate(batch, rules or ValidationRules()))
