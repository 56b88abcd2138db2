"""Chaos run on the local stack: ``python -m tests.chaos --kills 50`` (``make chaos KILLS=50``).

Produces traffic with redeliveries, transitions and invalid records, kills the stream with SIGKILL
``--kills`` times at random points, drains it, and prints the reconciliation: exit 1 if a row was lost or
duplicated anywhere.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from pathlib import Path

from pyspark.sql import SparkSession

from spark_jobs.session import build_spark
from tests.chaos.audit import CHAOS_MIX, Audit
from tests.chaos.kills import BATCH_RECORDS, stream_with_kills
from tests.integration.world import make_world, produce_traffic
from upi.settings import load_settings
from upi.stack import manager


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.chaos", description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=50, help="SIGKILLs of the stream (default 50)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the traffic and the kill points")
    args = parser.parse_args()
    if args.kills < 1:
        parser.error("--kills must be at least 1")
    stack = load_settings()
    manager.up(stack)
    folder = Path(tempfile.mkdtemp(prefix="upi-chaos-"))
    world = make_world(stack, "file", folder)
    sent = produce_traffic(
        world, records=max(20_000, args.kills * 3 * BATCH_RECORDS), seed=args.seed, mix=CHAOS_MIX
    )
    kills = stream_with_kills(world, kills=args.kills, rng=random.Random(args.seed), log_dir=folder)
    world.upi("stream", "--available-now")
    spark: SparkSession = build_spark(world.settings, "upi-chaos-audit", ui=False)
    audit = Audit.of(spark, world, sent)
    print(
        f"{len(kills)} SIGKILLs; last at bronze commit {kills[-1].bronze_commits}, sink batch {kills[-1].sink_batches}"
    )
    print(audit.table())
    print(f"logs and lake: {folder}")
    return 0 if audit.exact else 1


if __name__ == "__main__":
    sys.exit(main())
