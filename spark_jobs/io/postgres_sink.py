"""Exactly-once upsert of a micro-batch of silver events into Postgres ``clean_upi_transactions``.

One transaction per micro-batch: claim (app_id, batch_id) in the ``sink_batches`` ledger, ``COPY`` the batch
into a staging table, merge it with the precedence of ``warehouse/sql/upsert_clean_upi_transactions.sql``,
record the counts, commit. A batch Spark replays after a crash finds its claim and writes nothing; a batch
that crashed before commit left nothing, claim included.

Example::

    >>> written = upsert_clean_batch(batch_df, dsn, app_id=query_id, batch_id=3)   # doctest: +SKIP
"""

from __future__ import annotations

import io
from contextlib import closing

import psycopg2
import pyarrow.csv as pacsv
from pyspark.sql import DataFrame

from spark_jobs.transforms.validate import SILVER_COLUMNS
from warehouse import sql

_COPY = (
    f"COPY stage_clean_upi_transactions ({', '.join(SILVER_COLUMNS)}) FROM STDIN WITH (FORMAT csv, NULL '')"
)


def _as_csv(batch: DataFrame) -> tuple[io.BytesIO, int]:
    table = batch.select(*SILVER_COLUMNS).toArrow()
    buffer = io.BytesIO()
    pacsv.write_csv(table, buffer, pacsv.WriteOptions(include_header=False))
    buffer.seek(0)
    return buffer, table.num_rows


def upsert_clean_batch(batch: DataFrame, dsn: str, *, app_id: str, batch_id: int) -> int | None:
    """Merge ``batch`` into Postgres once; return rows inserted or updated, or ``None`` if already done."""
    with closing(psycopg2.connect(dsn)) as conn, conn, conn.cursor() as cur:
        cur.execute(sql("claim_sink_batch"), {"app_id": app_id, "batch_id": batch_id})
        if cur.fetchone() is None:
            return None
        payload, rows_in = _as_csv(batch)
        cur.execute(sql("stage_clean_upi_transactions"))
        cur.copy_expert(_COPY, payload)
        cur.execute(sql("upsert_clean_upi_transactions"))
        rows_upserted = cur.rowcount
        cur.execute(
            sql("record_sink_batch"),
            {"app_id": app_id, "batch_id": batch_id, "rows_in": rows_in, "rows_upserted": rows_upserted},
        )
    return rows_upserted
