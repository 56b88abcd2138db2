"""``upi stack``: idempotent start, status, and a ``down`` that leaves no process behind."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg2

from tests.integration.world import create_database, drop_unused_databases
from upi.settings import Settings, load_settings
from upi.stack import manager


def test_a_second_up_starts_nothing(stack: Settings) -> None:
    states = manager.up(stack)
    assert {s.name: s.state for s in states} == {
        "postgres": "already running", "kafka": "already running", "s3": "already running",
    }  # fmt: skip


def test_status_reports_every_service_healthy(stack: Settings) -> None:
    assert {s.name: s.state for s in manager.status(stack)} == {
        "postgres": "healthy",
        "kafka": "healthy",
        "s3": "healthy",
    }


def _processes_mentioning(text: str) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in cmdline and int(proc.name) != os.getpid():
            found.append(int(proc.name))
    return found


def test_down_stops_every_process_up_started(stack: Settings) -> None:
    """A second stack (own home, own ports) comes up and goes down; none of its processes survive."""
    # Under the stack's home rather than pytest's tmp dir: Postgres runs as `postgres`, which cannot enter
    # root's private temporary directories.
    home = stack.home / f"second-stack-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "UPI_HOME": str(home),
        "UPI_CACHE_DIR": str(stack.cache_dir),
        "UPI_KAFKA_BOOTSTRAP": "127.0.0.1:29092",
        "UPI_POSTGRES_DSN": "postgresql://upi:second-stack@127.0.0.1:25432/upi",
        "UPI_S3_ENDPOINT": "http://127.0.0.1:29000",
    }
    cli = [sys.executable, "-m", "upi.cli", "stack"]
    try:
        up = subprocess.run([*cli, "up"], env=env, capture_output=True, text=True, timeout=300, check=False)
        assert up.returncode == 0, up.stdout + up.stderr
        assert len(_processes_mentioning(str(home))) >= 3
    finally:
        down = subprocess.run(
            [*cli, "down"], env=env, capture_output=True, text=True, timeout=120, check=False
        )
    assert down.returncode == 0, down.stdout + down.stderr
    assert _processes_mentioning(str(home)) == []
    assert {s.name: s.state for s in manager.status(load_settings(home=home))} == {
        "postgres": "stopped", "kafka": "stopped", "s3": "stopped",
    }  # fmt: skip
    shutil.rmtree(home)


def test_leftover_scratch_databases_are_dropped_unless_in_use(stack: Settings) -> None:
    prefix = f"upi_sweep_{uuid.uuid4().hex[:8]}_"
    create_database(stack.dsn, prefix + "idle")
    holder = psycopg2.connect(create_database(stack.dsn, prefix + "busy"))
    try:
        dropped = drop_unused_databases(stack.dsn, (prefix,))
    finally:
        holder.close()
    assert dropped == [prefix + "idle"]
    assert drop_unused_databases(stack.dsn, (prefix,)) == [prefix + "busy"]
