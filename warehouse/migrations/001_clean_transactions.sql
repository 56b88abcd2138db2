-- clean_upi_transactions: one row per txn_id, holding the transaction's latest state.
-- Written only by the streaming job's Postgres sink (spark_jobs/io/postgres_sink.py), exactly once per batch.
CREATE TABLE IF NOT EXISTS clean_upi_transactions (
    txn_id          text          PRIMARY KEY,
    payer_vpa       text          NOT NULL,
    payee_vpa       text          NOT NULL,
    amount          numeric(12,2) NOT NULL CHECK (amount > 0),
    status          text          NOT NULL CHECK (status IN ('SUCCESS', 'FAILED', 'PENDING')),
    event_time      timestamptz   NOT NULL,
    txn_type        text,
    payer_psp       text,
    payer_bank      text,
    payee_bank      text,
    merchant_id     text,
    mcc             text,
    response_code   text,
    channel         text,
    event_date      date          NOT NULL,  -- business day in Asia/Kolkata
    kafka_topic     text          NOT NULL,
    kafka_partition integer       NOT NULL,
    kafka_offset    bigint        NOT NULL,
    ingest_time     timestamptz   NOT NULL,
    updated_at      timestamptz   NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS clean_upi_transactions_event_time ON clean_upi_transactions (event_time);
CREATE INDEX IF NOT EXISTS clean_upi_transactions_status ON clean_upi_transactions (status, event_time);
CREATE INDEX IF NOT EXISTS clean_upi_transactions_payee ON clean_upi_transactions (payee_vpa);
CREATE INDEX IF NOT EXISTS clean_upi_transactions_payer_psp ON clean_upi_transactions (payer_psp, event_time);

-- sink_batches: the ledger that makes the sink exactly once. One row per (query, micro-batch) committed,
-- inserted in the same transaction as the batch's upsert; a replayed batch finds its row and writes nothing.
CREATE TABLE IF NOT EXISTS sink_batches (
    app_id        text        NOT NULL,  -- the streaming query's id (stable across restarts of a checkpoint)
    batch_id      bigint      NOT NULL,
    rows_in       integer     NOT NULL,
    rows_upserted integer     NOT NULL,
    committed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (app_id, batch_id)
);
