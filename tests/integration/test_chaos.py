"""Exactly once under SIGKILL and server restarts: the stream is killed at 5 random points (or runs while
Postgres and Kafka restart), then drained; every record is in bronze once, every state in silver and
Postgres once, and each sink batch in the ledger once.

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
from tests.chaos.kills import Kill, stream_through_restarts, stream_with_kills
from tests.integration.world import make_world, produce_traffic
from upi.settings import Settings
from upi.stack.services import all_services

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
def restarted_run(stack: Settings, spark: SparkSession, tmp_path_factory: pytest.TempPathFactory) -> Audit:
    """Postgres, then Kafka, restarted under the running stream; the last test of the module, as it restarts
    the shared servers."""
    folder: Path = tmp_path_factory.mktemp("restarts")
    world = make_world(stack, "file", folder)
    sent = produce_traffic(world, records=12_000, seed=29, mix=CHAOS_MIX)
    services = {s.name: s for s in all_services(stack)}
    stream_through_restarts(world, [services["postgres"], services["kafka"]], log_dir=folder)
    world.upi("stream", "--available-now")
    return Audit.of(spark, world, sent)


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


def test_restarting_postgres_and_kafka_under_the_stream_loses_and_duplicates_nothing(
    restarted_run: Audit,
) -> None:
    assert restarted_run.exact, restarted_run.table()
