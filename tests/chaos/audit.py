"""Exact accounting of a world after a run: every record once in bronze, every state once in silver and
Postgres, each sink batch once in the ledger.

Example::

    >>> audit = Audit.of(spark, world, sent)   # doctest: +SKIP
    >>> audit.exact
    True
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from generator.events import Kind, Record, TrafficMix
from spark_jobs import tables
from tests.integration.expected import final_states, postgres
from tests.integration.world import World

CHAOS_MIX = TrafficMix(duplicate_rate=0.05, invalid_rate=0.03, late_rate=0.02, pending_rate=0.08)
"""Traffic of the chaos runs: redeliveries, invalid and late records, many PENDING → terminal transitions."""


@dataclass(frozen=True)
class Audit:
    """Observed counts beside the expected ones."""

    produced: int
    bronze_rows: int
    bronze_distinct_offsets: int
    invalid_sent: int
    quarantined: int
    postgres_quarantined: int
    states_sent: int
    silver_rows: int
    silver_distinct_states: int
    transactions_sent: int
    postgres_rows: int
    postgres_wrong_status: int
    ledger_batches: int
    ledger_distinct_batches: int
    ledger_rows_in: int

    @classmethod
    def of(cls, spark: SparkSession, world: World, sent: list[Record]) -> Audit:
        def lake(table: str) -> tuple[int, int]:
            frame = spark.read.format("delta").load(world.settings.table_uri(table))
            keys = ["kafka_partition", "kafka_offset"] if table != tables.SILVER else ["txn_id", "status"]
            row = frame.agg(F.count("*"), F.count_distinct(*keys)).first()
            assert row is not None
            return int(row[0]), int(row[1])

        kinds = Counter(r.kind for r in sent)
        final = final_states(sent)
        pg = dict(postgres(world.settings, "SELECT txn_id, status FROM clean_upi_transactions"))
        ((batches, distinct, rows_in),) = postgres(
            world.settings,
            "SELECT count(*), count(DISTINCT (app_id, batch_id)), coalesce(sum(rows_in), 0) FROM sink_batches "
            "WHERE target = 'clean_upi_transactions'",
        )
        ((pg_quarantined,),) = postgres(world.settings, "SELECT count(*) FROM quarantine_upi_events")
        bronze, bronze_distinct = lake(tables.BRONZE)
        silver, silver_distinct = lake(tables.SILVER)
        return cls(
            produced=len(sent),
            bronze_rows=bronze,
            bronze_distinct_offsets=bronze_distinct,
            invalid_sent=kinds[Kind.INVALID],
            quarantined=lake(tables.QUARANTINE)[0],
            postgres_quarantined=int(pg_quarantined),
            states_sent=kinds[Kind.NEW] + kinds[Kind.LATE] + kinds[Kind.TRANSITION],
            silver_rows=silver,
            silver_distinct_states=silver_distinct,
            transactions_sent=len(final),
            postgres_rows=len(pg),
            postgres_wrong_status=sum(1 for txn, status in final.items() if pg.get(txn) != status),
            ledger_batches=int(batches),
            ledger_distinct_batches=int(distinct),
            ledger_rows_in=int(rows_in),
        )

    @property
    def exact(self) -> bool:
        """Nothing lost, nothing duplicated, every batch committed once."""
        return (
            self.produced == self.bronze_rows == self.bronze_distinct_offsets
            and self.invalid_sent == self.quarantined == self.postgres_quarantined
            and self.states_sent == self.silver_rows == self.silver_distinct_states == self.ledger_rows_in
            and self.transactions_sent == self.postgres_rows
            and self.postgres_wrong_status == 0
            and self.ledger_batches == self.ledger_distinct_batches
        )

    def table(self) -> str:
        """The audit as a two-column markdown table."""
        lines = ["| measure | value |", "|---|---:|"]
        lines += [f"| {name.replace('_', ' ')} | {value:,} |" for name, value in asdict(self).items()]
        lines.append(f"| **exact** | {'yes' if self.exact else 'NO'} |")
        return "\n".join(lines)
