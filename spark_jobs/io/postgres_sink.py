"""Exactly-once writes of micro-batches into Postgres: clean transactions and quarantined records.

One transaction per micro-batch and target: claim (app_id, batch_id, target) in the ``sink_batches``
ledger, ``COPY`` the batch into a staging table, merge it into the target, record the counts, commit. A batch
Spark replays after a crash finds its claim and writes nothing; a batch that crashed before commit left
nothing, claim included.

Example::

    >>> written = upsert_clean_batch(silver_batch, dsn, app_id=query_id, batch_id=3)   # doctest: +SKIP
    >>> written = insert_quarantine_batch(rejected_batch, dsn, app_id=query_id, batch_id=3)   # doctest: +SKIP
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

import pyarrow as pa
import pyarrow.csv as pacsv
from psycopg2 import sql as pgsql
from psycopg2.extensions import cursor as Cursor
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from spark_jobs.io.postgres_connections import run_in_transaction
from spark_jobs.transforms.validate import SILVER_COLUMNS
from warehouse import sql

CLEAN_TARGET = "clean_upi_transactions"
QUARANTINE_TARGET = "quarantine_upi_events"

MERGE_STATEMENTS = {
    CLEAN_TARGET: "upsert_clean_upi_transactions",
    QUARANTINE_TARGET: "insert_quarantine_upi_events",
}

QUARANTINE_STAGE_COLUMNS = (
    "kafka_topic", "kafka_partition", "kafka_offset", "reason", "reason_detail",
    "value_hex", "value_text", "key_hex", "kafka_timestamp", "ingest_time",
)  # fmt: skip


def csv_of(table: pa.Table) -> io.BytesIO:
    """``table`` as headerless CSV, the way ``COPY … (FORMAT csv, NULL '')`` reads it."""
    buffer = io.BytesIO()
    pacsv.write_csv(table, buffer, pacsv.WriteOptions(include_header=False))
    buffer.seek(0)
    return buffer


def copy_csv(cur: Cursor, table: str, columns: Sequence[str], rows: io.BytesIO) -> None:
    """``COPY`` CSV ``rows`` (as made by :func:`csv_of`) into ``columns`` of ``table``."""
    statement = pgsql.SQL("COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv, NULL '')").format(
        table=pgsql.Identifier(table), columns=pgsql.SQL(", ").join(map(pgsql.Identifier, columns))
    )
    cur.copy_expert(statement.as_string(cur), rows)


def merge_csv(cur: Cursor, target: str, columns: tuple[str, ...], rows: io.BytesIO) -> int:
    """Stage CSV ``rows`` (``warehouse/sql/stage_<target>.sql``), merge them with the target's statement in
    ``warehouse/sql``; return the rows the merge wrote."""
    stage = f"stage_{target}"
    cur.execute(sql(stage))
    copy_csv(cur, stage, columns, rows)
    cur.execute(sql(MERGE_STATEMENTS[target]))
    return int(cur.rowcount)


def _staged_merge(
    target: str, columns: tuple[str, ...], table: pa.Table
) -> Callable[[Cursor], tuple[int, int]]:
    """The merge of ``table`` (exactly ``columns``) into ``target`` through staging, → (rows staged, rows
    written). The CSV is encoded now, before any transaction, which then holds its locks only while Postgres
    works; each retry of the transaction reads it afresh."""
    encoded = csv_of(table).getvalue()

    def merge(cur: Cursor) -> tuple[int, int]:
        return int(table.num_rows), merge_csv(cur, target, columns, io.BytesIO(encoded))

    return merge


def _exactly_once(
    dsn: str, *, app_id: str, batch_id: int, target: str, write: Callable[[Cursor], tuple[int, int]]
) -> int | None:
    """Run ``write`` (→ rows in, rows written) in one transaction with the ledger; ``None`` if done before.

    Transient failures retry the whole transaction; a commit whose acknowledgement was lost finds its
    claim on the retry and writes nothing.
    """

    def transaction(cur: Cursor) -> int | None:
        cur.execute(sql("claim_sink_batch"), {"app_id": app_id, "batch_id": batch_id, "target": target})
        if cur.fetchone() is None:
            return None
        rows_in, rows_written = write(cur)
        cur.execute(
            sql("record_sink_batch"),
            {
                "app_id": app_id,
                "batch_id": batch_id,
                "target": target,
                "rows_in": rows_in,
                "rows_upserted": rows_written,
            },
        )
        return rows_written

    return run_in_transaction(
        dsn, transaction, what=f"micro-batch {batch_id} of query {app_id} into {target}"
    )


def upsert_clean_batch(
    batch: DataFrame, dsn: str, *, app_id: str, batch_id: int, late_after: str = "10 minutes"
) -> int | None:
    """Merge a silver micro-batch into ``clean_upi_transactions`` once; rows inserted or updated, or ``None``.

    In the same transaction, the business days of events that arrived more than ``late_after`` after their
    event time are counted in ``late_event_days``.
    """

    merge = _staged_merge(CLEAN_TARGET, SILVER_COLUMNS, batch.select(*SILVER_COLUMNS).toArrow())

    def write(cur: Cursor) -> tuple[int, int]:
        written = merge(cur)
        cur.execute(sql("record_late_event_days"), {"late_after": late_after})
        return written

    return _exactly_once(dsn, app_id=app_id, batch_id=batch_id, target=CLEAN_TARGET, write=write)


def insert_quarantine_batch(batch: DataFrame, dsn: str, *, app_id: str, batch_id: int) -> int | None:
    """Add a micro-batch of quarantined records to ``quarantine_upi_events`` once; rows added, or ``None``."""
    staged = (
        batch.select(
            "*",
            F.hex("value").alias("value_hex"),
            F.hex("key").alias("key_hex"),
            # Postgres text cannot hold NUL: such payloads stay readable from the bytea column only.
            F.when(~F.col("value_text").contains("\u0000"), F.col("value_text")).alias("_text"),
        )
        .drop("value_text")
        .withColumnRenamed("_text", "value_text")
    )
    merge = _staged_merge(
        QUARANTINE_TARGET, QUARANTINE_STAGE_COLUMNS, staged.select(*QUARANTINE_STAGE_COLUMNS).toArrow()
    )
    return _exactly_once(dsn, app_id=app_id, batch_id=batch_id, target=QUARANTINE_TARGET, write=merge)
