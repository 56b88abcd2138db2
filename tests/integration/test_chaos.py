"""Exactly once under SIGKILL and server restarts: the stream is killed at 5 random points (or runs while
Postgres and Kafka restart), then drained; every record is in bronze once, every state in silver and
Postgres once, and each sink batch in the ledger once. Postgres is also crashed in the middle of a sink
transaction, and Kafka restarted, under the running stream.

``python -m tests.chaos --kills 50`` runs the same with more kills.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from tests.chaos.audit import CHAOS_MIX, Audit
from tests.chaos.kills import (
    Kill,
    MidTransactionCrash,
    crash_postgres_mid_sink_transaction,
    restart,
    stream_through_outages,
    stream_with_kills,
)
from tests.integration.world import make_world, produce_traffic
from upi.settings import Settings
from upi.stack.services import PostgresService, all_services

pytestmark = pytest.mark.integration

KILLS = 5


@pytest.fixture(scope="module")
def killed_run(
    stack: Settings, spark: SparkSession, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[list[Kill], Audit]]:
    folder: Path = tmp_path_factory.mktemp("chaos")
    world = make_world(stack, "file", folder)
    sent = produce_traffic(world, records=20_000, seed=23, mix=CHAOS_MIX)
    kills = stream_with_kills(world, kills=KILLS, rng=random.Random(23), log_dir=folder)
    world.upi("stream", "--available-now")
    yield kills, Audit.of(spark, world, sent)


@pytest.fixture(scope="module")
def outage_run(
    stack: Settings, spark: SparkSession, tmp_path_factory: pytest.TempPathFactory
) -> tuple[list[MidTransactionCrash], Audit]:
    """Postgres crashed under a sink transaction, then Kafka restarted, under the running stream; the last
    fixture of the module, as it takes the shared servers down."""
    folder: Path = tmp_path_factory.mktemp("outages")
    world = make_world(stack, "file", folder)
    sent = produce_traffic(world, records=12_000, seed=29, mix=CHAOS_MIX)
    services = {s.name: s for s in all_services(stack)}
    postgres_service, kafka = services["postgres"], services["kafka"]
    assert isinstance(postgres_service, PostgresService)
    crashes: list[MidTransactionCrash] = []

    def restart_kafka_then_send_more() -> None:
        restart(kafka)  # the stream may have drained the topic by now: it must read new records after this
        sent.extend(produce_traffic(world, records=2_000, seed=31, mix=CHAOS_MIX))

    stream_through_outages(
        world,
        [lambda: crashes.append(crash_postgres_mid_sink_transaction(world, postgres_service)),
         restart_kafka_then_send_more],
        log_dir=folder,
    )  # fmt: skip
    world.upi("stream", "--available-now")
    return crashes, Audit.of(spark, world, sent)


@pytest.fixture(scope="module")
def audit(killed_run: tuple[list[Kill], Audit]) -> Audit:
    return killed_run[1]


def test_the_stream_was_killed_at_every_point_after_making_progress(
    killed_run: tuple[list[Kill], Audit],
) -> None:
    kills, _ = killed_run
    assert len(kills) == KILLS
    assert all(
        a.bronze_commits + a.sink_batches < b.bronze_commits + b.sink_batches
        for a, b in itertools.pairwise(kills)
    )


def test_every_record_is_in_bronze_exactly_once(audit: Audit) -> None:
    assert audit.bronze_rows == audit.bronze_distinct_offsets == audit.produced


def test_every_invalid_record_is_quarantined_once_in_the_lake_and_in_postgres(audit: Audit) -> None:
    assert audit.quarantined == audit.postgres_quarantined == audit.invalid_sent


def test_every_state_is_in_silver_exactly_once(audit: Audit) -> None:
    assert audit.silver_rows == audit.silver_distinct_states == audit.states_sent


def test_postgres_has_each_transaction_once_with_its_final_status(audit: Audit) -> None:
    assert (audit.postgres_rows, audit.postgres_wrong_status) == (audit.transactions_sent, 0)


def test_the_ledger_shows_each_sink_batch_committed_once(audit: Audit) -> None:
    assert audit.ledger_batches == audit.ledger_distinct_batches
    assert audit.ledger_rows_in == audit.silver_rows


def test_postgres_crashed_while_a_sink_transaction_held_its_ledger_claim(
    outage_run: tuple[list[MidTransactionCrash], Audit],
) -> None:
    crashes, _ = outage_run
    assert [crash.batch_claimed for crash in crashes] == [True]


def test_a_postgres_crash_mid_transaction_and_a_kafka_restart_lose_and_duplicate_nothing(
    outage_run: tuple[list[MidTransactionCrash], Audit],
) -> None:
    _, audit = outage_run
    assert audit.exact, audit.table()
