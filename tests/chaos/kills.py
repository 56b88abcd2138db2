"""Kill the running stream with SIGKILL at random points, restart it, and let it finish.

The stream (``upi stream``, micro-batches of ``BATCH_RECORDS``) runs as a real process group: Python driver
and its JVM. Each round starts it, waits until it has committed something new (a bronze commit or a sink
batch), waits a random fraction of a second more, and kills the whole group with SIGKILL: no shutdown hook,
no flush. A last ``upi stream --available-now`` drains what is left.

Example::

    >>> kills = stream_with_kills(world, kills=5, rng=random.Random(1), log_dir=tmp)   # doctest: +SKIP
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg2
from psycopg2.extensions import cursor as Cursor

from spark_jobs import tables
from tests.integration.expected import postgres
from tests.integration.world import World
from upi.stack.services import PostgresService, Service

BATCH_RECORDS = 1_000
"""``maxOffsetsPerTrigger`` during the chaos run: many small micro-batches, many places to die in."""


@dataclass(frozen=True)
class Kill:
    """One SIGKILL: after how long, and how far the stream had got."""

    round: int
    seconds_alive: float
    bronze_commits: int
    sink_batches: int


def progress(world: World) -> tuple[int, int]:
    """(commits in bronze's Delta log, batches in the Postgres ledger) of a world with a file lake."""
    log = Path(urlsplit(world.settings.table_uri(tables.BRONZE)).path) / "_delta_log"
    commits = len(list(log.glob("*.json"))) if log.exists() else 0
    ((batches,),) = postgres(world.settings, "SELECT count(*) FROM sink_batches")
    return commits, int(batches)


def _start_stream(world: World, log_file: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        **world.env,
        "UPI_MAX_OFFSETS_PER_TRIGGER": str(BATCH_RECORDS),
        "UPI_TRIGGER_SECONDS": "1",
    }
    with log_file.open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "upi.cli", "stream"],
            env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip


def _wait_for_progress(
    world: World, process: subprocess.Popen[bytes], since: tuple[int, int], log: Path, *, sink: bool = False
) -> None:
    """Until a new bronze commit or sink batch (with ``sink``: a new sink batch) shows up."""
    deadline = time.monotonic() + 240
    while (progress(world)[1] == since[1]) if sink else (progress(world) == since):
        if process.poll() is not None:
            raise AssertionError(f"the stream exited ({process.returncode}) before being killed; see {log}")
        if time.monotonic() > deadline:
            raise AssertionError(f"the stream made no progress in 240s; see {log}")
        time.sleep(0.2)


@dataclass(frozen=True)
class MidTransactionCrash:
    """Postgres crashed under a sink transaction blocked in its merge."""

    backend_pid: int
    batch_claimed: bool  # the transaction held its (uncommitted) claim in the ledger when Postgres went down


BLOCKED_SINK_MERGE = """
SELECT pid,
       EXISTS (SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
               WHERE l.pid = a.pid AND c.relname = 'sink_batches' AND l.mode = 'RowExclusiveLock' AND l.granted)
FROM pg_stat_activity a
WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'
  AND query LIKE '%INSERT INTO clean_upi_transactions%'
"""


def crash_postgres_mid_sink_transaction(
    world: World, postgres_service: PostgresService
) -> MidTransactionCrash:
    """Catch a sink transaction between its ledger claim and its merge, then crash Postgres under it.

    A second session locks ``clean_upi_transactions`` against writes; the next sink transaction claims its
    batch, COPYs its rows into staging and blocks on the merge. Postgres then goes down in "immediate" mode
    (no checkpoint, crash recovery at start) and comes back; the stream must redo the whole batch.
    """
    with closing(psycopg2.connect(world.settings.dsn)) as conn, conn.cursor() as cur:
        cur.execute("LOCK TABLE clean_upi_transactions IN SHARE MODE")  # psycopg2 opened a transaction
        deadline = time.monotonic() + 240
        while (blocked := _fetch_one(cur, BLOCKED_SINK_MERGE)) is None:
            if time.monotonic() > deadline:
                raise AssertionError("no sink transaction reached the merge within 240s")
            time.sleep(0.1)
        postgres_service.crash()
    postgres_service.start()
    return MidTransactionCrash(int(blocked[0]), bool(blocked[1]))


def _fetch_one(cur: Cursor, query: str) -> tuple[Any, ...] | None:
    cur.execute("SELECT pg_stat_clear_snapshot()")  # activity is otherwise frozen for the transaction
    cur.execute(query)
    row: tuple[Any, ...] | None = cur.fetchone()
    return row


def stream_through_outages(world: World, outages: list[Callable[[], object]], *, log_dir: Path) -> None:
    """Run the stream through each of ``outages`` in turn, each begun after a new sink batch committed
    (so the next batches are in flight); then SIGKILL the stream."""
    log = log_dir / "stream-outages.log"
    process = _start_stream(world, log)
    try:
        for outage in outages:
            _wait_for_progress(world, process, progress(world), log, sink=True)
            outage()
        _wait_for_progress(world, process, progress(world), log)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def restart(service: Service) -> None:
    """Stop ``service``, leave the stream to meet the outage for two seconds, start it again."""
    service.stop()
    time.sleep(2.0)  # Kafka fetches / Postgres writes fail meanwhile
    service.start()


def stream_with_kills(world: World, *, kills: int, rng: random.Random, log_dir: Path) -> list[Kill]:
    """Run the stream ``kills`` times, each killed with SIGKILL at a random point after it made progress."""
    done = []
    for round_ in range(kills):
        log = log_dir / f"stream-{round_}.log"
        started = time.monotonic()
        process = _start_stream(world, log)
        try:
            _wait_for_progress(world, process, progress(world), log)
            time.sleep(rng.uniform(0.0, 1.5))
        finally:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        commits, batches = progress(world)
        done.append(Kill(round_, time.monotonic() - started, commits, batches))
    return done
