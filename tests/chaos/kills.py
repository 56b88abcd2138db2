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
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from spark_jobs import tables
from tests.integration.expected import postgres
from tests.integration.world import World
from upi.stack.services import Service

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


def stream_through_restarts(world: World, services: list[Service], *, log_dir: Path) -> None:
    """Run the stream while each of ``services`` is stopped and started again, one after the other, each
    right after a sink batch committed (so the next batches are in flight); then SIGKILL the stream."""
    log = log_dir / "stream-restarts.log"
    process = _start_stream(world, log)
    try:
        for service in services:
            _wait_for_progress(world, process, progress(world), log, sink=True)
            service.stop()
            time.sleep(2.0)  # the stream meets the outage: Kafka fetches and Postgres writes fail meanwhile
            service.start()
        _wait_for_progress(world, process, progress(world), log)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


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
