"""Every kind of bad input, sent through real Kafka beside good traffic: each one is quarantined (Delta and
Postgres) with its reason code, and nothing else is affected.

One stream run for the module; each test checks one record by its Kafka offset.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from kafka import KafkaProducer
from pyspark.sql import SparkSession

from spark_jobs import tables
from spark_jobs.transforms.validate import REASONS
from tests.builders import DROP, encode, good_event
from tests.integration.expected import postgres
from tests.integration.world import World, make_world
from upi.settings import Settings

pytestmark = pytest.mark.integration

NOW = datetime.now(UTC)
GOOD_RECORDS = 20


def event(**changes: Any) -> bytes:
    """A good event of now with a fresh txn_id, and ``changes``."""
    fields: dict[str, Any] = {"txn_id": f"TST{uuid.uuid4().hex}", "event_time": NOW.isoformat()}
    return encode(good_event(**{**fields, **changes}))


BAD_INPUTS: dict[str, bytes] = {
    "payload_too_large": event(note="x" * 20_000),
    "not_utf8": b"\xff\xfe{}",
    "not_json": b"{not json",
    "not_object": b"[1, 2]",
    "missing_required_key": event(payee_vpa=DROP),
    "wrong_type": event(amount=True),
    "invalid_txn_id": event(txn_id="bad id!"),
    "malformed_vpa": event(payer_vpa="no-at-sign"),
    "amount_not_decimal": event(amount="12,00"),
    "amount_too_precise": event(amount="10.005"),
    "amount_not_positive": event(amount="0.00"),
    "amount_over_limit": event(amount="500000.01"),
    "unknown_status": event(status="REVERSED"),
    "invalid_event_time": event(event_time="2026-13-45T11:15:30Z"),
    "event_time_in_future": event(event_time=(NOW + timedelta(days=2)).isoformat()),
    "invalid_optional_field": event(txn_type="B2B"),
}


@dataclass(frozen=True)
class BadInputRun:
    world: World
    offsets: dict[str, int]  # reason → Kafka offset of its record (partition 0)
    good_ids: list[str]
    lake_reasons: dict[int, str]
    postgres_reasons: dict[int, str]


@pytest.fixture(scope="module")
def bad_run(
    stack: Settings, spark: SparkSession, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BadInputRun]:
    world = make_world(stack, "file", Path(tmp_path_factory.mktemp("bad-input")))
    good = [event() for _ in range(GOOD_RECORDS)]
    producer = KafkaProducer(bootstrap_servers=world.settings.kafka_bootstrap, max_request_size=1_048_576)
    offsets = {}
    for i, (reason, payload) in enumerate(BAD_INPUTS.items()):
        producer.send(world.settings.kafka_topic, value=good[i], partition=0)
        offsets[reason] = producer.send(world.settings.kafka_topic, value=payload, partition=0).get(30).offset
    for payload in good[len(BAD_INPUTS) :]:
        producer.send(world.settings.kafka_topic, value=payload, partition=0)
    producer.flush()
    producer.close()
    world.upi("stream", "--available-now")
    quarantine = spark.read.format("delta").load(world.settings.table_uri(tables.QUARANTINE))
    yield BadInputRun(
        world,
        offsets,
        [str(json.loads(p)["txn_id"]) for p in good],
        {r.kafka_offset: r.reason for r in quarantine.select("kafka_offset", "reason").collect()},
        dict(postgres(world.settings, "SELECT kafka_offset, reason FROM quarantine_upi_events")),
    )


def test_every_reason_code_has_a_bad_input_here() -> None:
    assert set(BAD_INPUTS) == set(REASONS)


@pytest.mark.parametrize("reason", list(BAD_INPUTS))
def test_the_bad_input_is_quarantined_with_its_reason(bad_run: BadInputRun, reason: str) -> None:
    offset = bad_run.offsets[reason]
    assert (bad_run.lake_reasons.get(offset), bad_run.postgres_reasons.get(offset)) == (reason, reason)


def test_nothing_but_the_bad_inputs_is_quarantined(bad_run: BadInputRun) -> None:
    assert sorted(bad_run.lake_reasons) == sorted(bad_run.offsets.values())


def test_every_good_event_around_them_reaches_postgres(bad_run: BadInputRun) -> None:
    rows = postgres(bad_run.world.settings, "SELECT txn_id FROM clean_upi_transactions")
    assert sorted(r[0] for r in rows) == sorted(bad_run.good_ids)


def test_a_checkpoint_of_the_earlier_bronze_fed_refine_query_stops_the_stream_with_one_line(
    stack: Settings, tmp_path: Path
) -> None:
    world = make_world(stack, "file", tmp_path)
    old = Path(urlsplit(tables.bronze_fed_refine_checkpoint(world.settings)).path)
    old.mkdir(parents=True)
    (old / "metadata").write_text('{"id":"5d6c3a4e-0000-4000-8000-000000000000"}\n')
    result = world.run_upi("stream", "--available-now")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith("error: UPI_CHECKPOINT_URI: ")
