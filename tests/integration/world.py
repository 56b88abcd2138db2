"""An isolated world per pipeline run on the shared stack: its own topic, database and lake (uuid-named),
so runs never see each other's data and the suite needs no cleanup between tests.

What the worlds of earlier sessions left on the stack (databases, topics, S3 prefixes) is removed when a
session starts (:func:`sweep_earlier_worlds`): a long-lived dev stack otherwise grows by gigabytes a run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import psycopg2
from psycopg2 import sql as pgsql

from generator.events import EventFactory, Record, TrafficMix
from generator.producer import send_to_kafka
from upi.kafka_admin import delete_topics, ensure_topic
from upi.settings import Settings, load_settings
from upi.stack.services import maintenance_dsn
from warehouse.migrate import migrate


@dataclass(frozen=True)
class World:
    """One isolated pipeline: its settings and the environment a `upi` subprocess needs to use them."""

    settings: Settings
    env: dict[str, str]

    def run_upi(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        """Run the real ``upi`` command in this world and return how it ended."""
        return subprocess.run(
            [sys.executable, "-m", "upi.cli", *args],
            env={**os.environ, **self.env}, capture_output=True, text=True, timeout=timeout, check=False,
        )  # fmt: skip

    def upi(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        """Run the real ``upi`` command in this world; fail the test with its output if it fails."""
        result = self.run_upi(*args, timeout=timeout)
        assert result.returncode == 0, (
            f"upi {' '.join(args)} failed:\n{result.stdout}\n{result.stderr[-4000:]}"
        )
        return result


WORLD_PREFIX = "upi_test_"
"""A world's topic and database are named this prefix + its run id; its S3 objects are under :func:`s3_prefix`."""

SCRATCH_DATABASES = (WORLD_PREFIX, "upi_sink_", "upi_bench_")
"""Name prefixes of the databases tests and benchmarks create."""


def s3_prefix(run_id: str) -> str:
    """Where in the stack's bucket the lake and checkpoints of world ``run_id`` live."""
    return f"tests/{run_id}"


def sweep_earlier_worlds(stack: Settings) -> list[str]:
    """Drop the scratch databases nobody is connected to, with their worlds' topics and S3 prefixes; return
    the databases dropped. A database in use (a run still going, in this or another process) is kept."""
    dropped = drop_unused_databases(stack.dsn, SCRATCH_DATABASES)
    worlds = [name.removeprefix(WORLD_PREFIX) for name in dropped if name.startswith(WORLD_PREFIX)]
    delete_topics(stack.kafka_bootstrap, [WORLD_PREFIX + run_id for run_id in worlds])
    if worlds:
        _delete_s3_prefixes(stack, [s3_prefix(run_id) for run_id in worlds])
    return dropped


def drop_unused_databases(admin_dsn: str, prefixes: tuple[str, ...]) -> list[str]:
    """Drop each database whose name starts with one of ``prefixes`` and that has no connection; return them."""
    dropped: list[str] = []
    with closing(psycopg2.connect(maintenance_dsn(admin_dsn))) as conn:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT datname FROM pg_database ORDER BY datname")
            for name in [name for (name,) in cur.fetchall() if name.startswith(prefixes)]:
                try:
                    cur.execute(pgsql.SQL("DROP DATABASE {}").format(pgsql.Identifier(name)))
                except psycopg2.errors.ObjectInUse:
                    continue
                dropped.append(name)
    return dropped


def _delete_s3_prefixes(stack: Settings, prefixes: list[str]) -> None:
    from pyarrow import fs

    endpoint = urlsplit(stack.s3_endpoint)
    s3 = fs.S3FileSystem(
        access_key=stack.s3_access_key, secret_key=stack.s3_secret_key.get_secret_value(),
        endpoint_override=endpoint.netloc, scheme=endpoint.scheme, region="us-east-1",
    )  # fmt: skip
    files = [
        info.path
        for prefix in prefixes
        for info in s3.get_file_info(
            fs.FileSelector(f"{stack.s3_bucket}/{prefix}", allow_not_found=True, recursive=True)
        )
        if info.type == fs.FileType.File
    ]
    # One object per request: the local S3 server refuses multi-object deletes without Content-MD5.
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(s3.delete_file, files))


def create_database(admin_dsn: str, name: str) -> str:
    """Create database ``name`` next to ``admin_dsn``'s, apply the migrations, return its DSN."""
    parts = urlsplit(admin_dsn)
    with closing(psycopg2.connect(maintenance_dsn(admin_dsn))) as conn:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(pgsql.SQL("CREATE DATABASE {}").format(pgsql.Identifier(name)))
    dsn = parts._replace(path=f"/{name}").geturl()
    migrate(dsn)
    return dsn


def make_world(stack: Settings, lake: str, folder: Path, *, env: dict[str, str] | None = None) -> World:
    """A fresh topic, database and lake (``lake`` is "file" or "s3a") on the running stack; ``env`` adds
    settings for the ``upi`` subprocesses of this world (e.g. ``{"UPI_WATERMARK_DELAY": "10 seconds"}``)."""
    run_id = uuid.uuid4().hex[:12]
    if lake == "file":
        lake_uri, checkpoint_uri = f"file://{folder}/lake", f"file://{folder}/checkpoints"
    else:
        lake_uri = f"s3a://{stack.s3_bucket}/{s3_prefix(run_id)}/lake"
        checkpoint_uri = f"s3a://{stack.s3_bucket}/{s3_prefix(run_id)}/checkpoints"
    env = {
        "UPI_KAFKA_TOPIC": WORLD_PREFIX + run_id,
        "UPI_POSTGRES_DSN": create_database(stack.dsn, WORLD_PREFIX + run_id),
        "UPI_LAKE_URI": lake_uri,
        "UPI_CHECKPOINT_URI": checkpoint_uri,
        "UPI_TRIGGER_SECONDS": "1",
        **(env or {}),
    }
    settings = load_settings(
        kafka_topic=env["UPI_KAFKA_TOPIC"], postgres_dsn=env["UPI_POSTGRES_DSN"],
        lake_uri=lake_uri, checkpoint_uri=checkpoint_uri,
    )  # fmt: skip
    ensure_topic(settings.kafka_bootstrap, settings.kafka_topic, settings.kafka_topic_partitions)
    return World(settings, env)


def streamed_world(stack: Settings, folder: Path, records: Iterable[Record], count: int) -> World:
    """A fresh file-lake world (its GX context under ``folder``) whose topic got ``records`` — ``count`` of them,
    all acknowledged — drained by ``upi stream --available-now``."""
    world = make_world(stack, "file", folder, env={"UPI_QUALITY_DIR": str(folder / "quality")})
    summary = send_to_kafka(records, world.settings.kafka_bootstrap, world.settings.kafka_topic)
    assert (summary.acked, summary.errors) == (count, 0), summary.first_error
    world.upi("stream", "--available-now")
    return world


def produce_traffic(world: World, *, records: int, seed: int, mix: TrafficMix) -> list[Record]:
    """Send ``records`` generated records of ``mix`` to the world's topic; return them, all acknowledged."""
    sent = list(EventFactory(seed, datetime.now(UTC), mix, payers=2_000, merchants=200).records(records))
    summary = send_to_kafka(sent, world.settings.kafka_bootstrap, world.settings.kafka_topic)
    if (summary.acked, summary.errors) != (records, 0):
        raise AssertionError(f"Kafka acknowledged {summary.acked} of {records}: {summary.first_error}")
    return sent
