"""The Postgres sink on a real server: exactly once per micro-batch, one row per txn_id, status precedence."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import closing
from decimal import Decimal
from typing import Any

import psycopg2
import pytest
from psycopg2.extensions import cursor as Cursor
from pyspark.sql import SparkSession

from spark_jobs.io.postgres_connections import PostgresWriteError, close_pools, run_in_transaction
from spark_jobs.io.postgres_sink import insert_quarantine_batch, upsert_clean_batch
from spark_jobs.transforms.validate import ValidationRules, quarantined, validate
from tests.builders import bronze_of, good_event, silver_of
from tests.integration.world import create_database
from upi.settings import Settings

APP = "test-query"
TXN = "YBL0f3c2a9d4e5b6c7d8e9f00112233445"


@pytest.fixture
def dsn(stack: Settings) -> Iterator[str]:
    dsn = create_database(stack.dsn, f"upi_sink_{uuid.uuid4().hex[:12]}")
    yield dsn
    close_pools(dsn)


def query(dsn: str, statement: str) -> list[tuple[Any, ...]]:
    with closing(psycopg2.connect(dsn)) as conn, conn.cursor() as cur:
        cur.execute(statement)
        return cur.fetchall()


def state(dsn: str) -> list[tuple[Any, ...]]:
    return query(dsn, "SELECT txn_id, status, amount, response_code FROM clean_upi_transactions ORDER BY 1")


def test_a_batch_is_written_with_exact_amounts(spark: SparkSession, dsn: str) -> None:
    batch = silver_of(spark, good_event(amount="0.10"), good_event(txn_id="X" + TXN[1:], amount="499999.99"))
    upsert_clean_batch(batch, dsn, app_id=APP, batch_id=0)
    assert query(dsn, "SELECT sum(amount), count(*) FROM clean_upi_transactions") == [
        (Decimal("500000.09"), 2)
    ]


def test_a_replayed_batch_writes_nothing(spark: SparkSession, dsn: str) -> None:
    upsert_clean_batch(silver_of(spark, good_event()), dsn, app_id=APP, batch_id=7)
    replay = upsert_clean_batch(silver_of(spark, good_event(amount="999.00")), dsn, app_id=APP, batch_id=7)
    assert replay is None
    assert state(dsn) == [(TXN, "SUCCESS", Decimal("149.50"), "00")]


def test_the_ledger_records_each_batch_once_with_its_counts(spark: SparkSession, dsn: str) -> None:
    batch = silver_of(spark, good_event(**PENDING), good_event())
    upsert_clean_batch(batch, dsn, app_id=APP, batch_id=0)
    upsert_clean_batch(batch, dsn, app_id=APP, batch_id=0)
    assert query(dsn, "SELECT app_id, batch_id, rows_in, rows_upserted FROM sink_batches") == [(APP, 0, 2, 1)]


def test_the_ledger_records_how_long_the_sink_transaction_took(spark: SparkSession, dsn: str) -> None:
    upsert_clean_batch(silver_of(spark, good_event()), dsn, app_id=APP, batch_id=0)
    ((write_ms, elapsed_ms),) = query(
        dsn, "SELECT write_ms, 1000 * extract(epoch FROM clock_timestamp() - committed_at) FROM sink_batches"
    )
    assert 0 < write_ms < elapsed_ms


def test_the_merge_maintains_only_the_primary_key_and_the_indexes_the_panels_filter_on(dsn: str) -> None:
    # Each index is paid on every merged row (migration 009): one more must be read by a panel or a job.
    indexed = query(
        dsn,
        "SELECT string_agg(a.attname, ', ' ORDER BY k.position)"
        " FROM pg_index AS i CROSS JOIN unnest(i.indkey) WITH ORDINALITY AS k (attnum, position)"
        " JOIN pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = k.attnum"
        " WHERE i.indrelid = 'clean_upi_transactions'::regclass GROUP BY i.indexrelid ORDER BY 1",
    )
    assert indexed == [("event_time",), ("txn_id",), ("updated_at",)]


def test_quarantined_records_are_kept_once_with_their_exact_bytes(spark: SparkSession, dsn: str) -> None:
    payloads = [b"{not json", b"\xff\xfe upi", b"nul\x00inside"]
    rejected = quarantined(validate(bronze_of(spark, *payloads), ValidationRules()))
    assert insert_quarantine_batch(rejected, dsn, app_id=APP, batch_id=0) == 3
    assert insert_quarantine_batch(rejected, dsn, app_id=APP, batch_id=0) is None
    rows = query(dsn, "SELECT kafka_offset, reason, value, value_text FROM quarantine_upi_events ORDER BY 1")
    assert [(offset, reason, bytes(value), text) for offset, reason, value, text in rows] == [
        (0, "not_json", b"{not json", "{not json"),
        (1, "not_utf8", b"\xff\xfe upi", None),
        (2, "not_json", b"nul\x00inside", None),  # Postgres text cannot hold NUL: bytes only
    ]


def test_the_same_batch_id_of_another_query_is_a_different_batch(spark: SparkSession, dsn: str) -> None:
    upsert_clean_batch(
        silver_of(spark, good_event(status="PENDING", response_code="91")), dsn, app_id="a", batch_id=0
    )
    written = upsert_clean_batch(silver_of(spark, good_event()), dsn, app_id="b", batch_id=0)
    assert written == 1
    assert state(dsn) == [(TXN, "SUCCESS", Decimal("149.50"), "00")]


def merge_batches(spark: SparkSession, dsn: str, *batches: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Sink each list of events as the next micro-batch (ids 0, 1, …); return the table's state."""
    for batch_id, events in enumerate(batches):
        upsert_clean_batch(silver_of(spark, *events), dsn, app_id=APP, batch_id=batch_id)
    return state(dsn)


PENDING = {"status": "PENDING", "response_code": "91"}
FAILED = {"status": "FAILED", "response_code": "U30"}


def test_a_transaction_twice_in_one_batch_keeps_its_terminal_state(spark: SparkSession, dsn: str) -> None:
    later_pending = good_event(**PENDING, event_time="2026-11-25T11:15:40+05:30")
    final = merge_batches(spark, dsn, [good_event(), later_pending])
    assert final == [(TXN, "SUCCESS", Decimal("149.50"), "00")]


def test_a_later_pending_never_overwrites_a_terminal_status(spark: SparkSession, dsn: str) -> None:
    later_pending = good_event(**PENDING, event_time="2026-11-25T11:20:00+05:30")
    final = merge_batches(spark, dsn, [good_event(**FAILED)], [later_pending])
    assert final == [(TXN, "FAILED", Decimal("149.50"), "U30")]


def test_a_terminal_status_replaces_pending(spark: SparkSession, dsn: str) -> None:
    resolved = good_event(**FAILED, event_time="2026-11-25T11:16:00+05:30")
    final = merge_batches(spark, dsn, [good_event(**PENDING)], [resolved])
    assert final == [(TXN, "FAILED", Decimal("149.50"), "U30")]


def test_between_two_terminal_states_the_later_event_time_wins(spark: SparkSession, dsn: str) -> None:
    later = good_event(status="FAILED", response_code="ZM", event_time="2026-11-25T11:16:00+05:30")
    final = merge_batches(spark, dsn, [later], [good_event()])
    assert final == [(TXN, "FAILED", Decimal("149.50"), "ZM")]


def test_a_connection_lost_mid_transaction_is_retried_and_commits_once(dsn: str) -> None:
    attempts = []

    def work(cur: Cursor) -> int:
        attempts.append(1)
        cur.execute("CREATE TABLE IF NOT EXISTS retried (n int)")
        cur.execute("INSERT INTO retried VALUES (1)")
        if len(attempts) == 1:
            cur.execute(
                "SELECT pg_terminate_backend(pg_backend_pid())"
            )  # the server drops us mid-transaction
        return len(attempts)

    assert run_in_transaction(dsn, work, what="a test write", first_backoff=0.01) == 2
    assert query(dsn, "SELECT count(*) FROM retried") == [(1,)]


def backend_pid(cur: Cursor) -> int:
    cur.execute("SELECT pg_backend_pid()")
    (pid,) = cur.fetchone() or (None,)
    return int(pid)


def test_consecutive_transactions_reuse_one_server_connection(dsn: str) -> None:
    first = run_in_transaction(dsn, backend_pid, what="a probe")
    assert run_in_transaction(dsn, backend_pid, what="a probe") == first


def test_a_pooled_connection_the_server_dropped_while_idle_is_replaced(dsn: str) -> None:
    idle = run_in_transaction(dsn, backend_pid, what="a probe")
    query(dsn, f"SELECT pg_terminate_backend({idle}, 5000)")  # waits until the backend has exited
    assert run_in_transaction(dsn, backend_pid, what="a probe", first_backoff=0.01) != idle


def test_closing_the_pool_ends_its_server_connections(dsn: str) -> None:
    pid = run_in_transaction(dsn, backend_pid, what="a probe")
    close_pools(dsn)
    deadline = time.monotonic() + 5  # a backend leaves pg_stat_activity once it has seen the client go
    while query(dsn, f"SELECT count(*) FROM pg_stat_activity WHERE pid = {pid}") != [(0,)]:
        assert time.monotonic() < deadline, f"backend {pid} still there 5 s after its pool was closed"
        time.sleep(0.05)


def test_a_permanent_error_fails_at_once_naming_what_was_written(dsn: str) -> None:
    attempts = []

    def work(cur: Cursor) -> None:
        attempts.append(1)
        cur.execute("INSERT INTO no_such_table VALUES (1)")

    with pytest.raises(
        PostgresWriteError, match=r'^a test write: Postgres rejected it: relation "no_such_table"'
    ):
        run_in_transaction(dsn, work, what="a test write", first_backoff=0.01)
    assert len(attempts) == 1


def test_postgres_down_for_good_fails_after_the_retries() -> None:
    closed_port = "postgresql://upi:x@127.0.0.1:1/upi"
    with pytest.raises(PostgresWriteError, match="still unavailable after 3 attempts"):
        run_in_transaction(closed_port, lambda cur: None, what="a test write", attempts=3, first_backoff=0.01)


def test_each_retry_is_logged_as_a_warning_naming_the_write(caplog: pytest.LogCaptureFixture) -> None:
    closed_port = "postgresql://upi:x@127.0.0.1:1/upi"
    with pytest.raises(PostgresWriteError):
        run_in_transaction(closed_port, lambda cur: None, what="a test write", attempts=3, first_backoff=0.01)
    retries = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(retries) == 2
    assert retries[0].startswith("a test write: ") and retries[0].endswith("retry 1 of 2 in 0.0s")
