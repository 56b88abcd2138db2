-- Gold: the figures of each IST business day, built by the gold batch job (spark_jobs/gold.py) from silver.
-- Each transaction counts once, in its final state. A day is replaced whole, in one transaction, so a rerun
-- leaves identical rows. Every table has the same outcome columns, and each breakdown adds up to the summary.
-- The outcome columns every gold table has; an empty template the tables copy with LIKE, never written.
CREATE TABLE IF NOT EXISTS gold_outcome_columns (
    txn_count      bigint        NOT NULL,
    success_count  bigint        NOT NULL,
    failed_count   bigint        NOT NULL,
    pending_count  bigint        NOT NULL,
    success_amount numeric(20,2) NOT NULL
);

CREATE TABLE IF NOT EXISTS gold_daily_summary (
    event_date         date PRIMARY KEY,
    LIKE gold_outcome_columns,
    success_rate       double precision NOT NULL CHECK (success_rate BETWEEN 0 AND 1),
    total_amount       numeric(20,2) NOT NULL,
    avg_success_amount numeric(12,2),
    p50_success_amount numeric(12,2),
    p95_success_amount numeric(12,2),
    distinct_payers    bigint NOT NULL,
    distinct_payees    bigint NOT NULL
);

CREATE TABLE IF NOT EXISTS gold_daily_merchant (
    event_date  date NOT NULL,
    merchant_id text NOT NULL,  -- 'UNKNOWN' for P2P payments
    mcc         text NOT NULL,
    LIKE gold_outcome_columns,
    PRIMARY KEY (event_date, merchant_id, mcc)
);

CREATE TABLE IF NOT EXISTS gold_daily_psp_bank (
    event_date   date NOT NULL,
    payer_psp    text NOT NULL,
    payer_bank   text NOT NULL,
    LIKE gold_outcome_columns,
    success_rate double precision NOT NULL CHECK (success_rate BETWEEN 0 AND 1),
    PRIMARY KEY (event_date, payer_psp, payer_bank)
);

CREATE TABLE IF NOT EXISTS gold_hourly (
    event_date date    NOT NULL,
    hour       integer NOT NULL CHECK (hour BETWEEN 0 AND 23),  -- IST
    LIKE gold_outcome_columns,
    PRIMARY KEY (event_date, hour)
);

CREATE TABLE IF NOT EXISTS gold_daily_response_code (
    event_date    date NOT NULL,
    response_code text NOT NULL,
    status        text NOT NULL,
    LIKE gold_outcome_columns,
    PRIMARY KEY (event_date, response_code, status)
);

CREATE TABLE IF NOT EXISTS gold_daily_txn_type (
    event_date date NOT NULL,
    txn_type   text NOT NULL,  -- P2P | P2M
    LIKE gold_outcome_columns,
    PRIMARY KEY (event_date, txn_type)
);

-- dq_results: one row per expectation suite validated by a gold run, passed or not; read by Grafana.
CREATE TABLE IF NOT EXISTS dq_results (
    run_id         uuid        NOT NULL,
    event_date     date        NOT NULL,
    suite          text        NOT NULL,
    success        boolean     NOT NULL,
    evaluated      integer     NOT NULL,
    failed         integer     NOT NULL,
    failures       jsonb       NOT NULL,  -- the failed expectations: type, column, observed value
    data_docs      text,                  -- the GX Data Docs page of this validation
    validated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, suite)
);

CREATE INDEX IF NOT EXISTS dq_results_event_date ON dq_results (event_date, validated_at);

-- When the gold job last republished a day the stream saw late events for: a day needs recomputing while
-- last_seen is later than recomputed_at (or recomputed_at is NULL).
ALTER TABLE late_event_days ADD COLUMN IF NOT EXISTS recomputed_at timestamptz;
