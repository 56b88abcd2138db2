-- pipeline_metrics: one row per micro-batch of each streaming query, from Spark's progress reports.
-- Keyed by the query's id (stable across restarts), so a micro-batch replayed after a crash counts once.
-- Written by spark_jobs/metrics.py (a StreamingQueryListener); read by the dashboards and `upi report`.
CREATE TABLE IF NOT EXISTS pipeline_metrics (
    query_name            text        NOT NULL,  -- ingest | refine
    query_id              uuid        NOT NULL,  -- the checkpoint's query
    run_id                uuid        NOT NULL,  -- one run of the query (a restart is a new run)
    batch_id              bigint      NOT NULL,
    batch_time            timestamptz NOT NULL,  -- when the micro-batch started
    input_rows            bigint      NOT NULL,
    input_rows_per_second double precision,
    rows_per_second       double precision,      -- processed
    duration_ms           bigint      NOT NULL,  -- the whole trigger
    durations             jsonb       NOT NULL,  -- Spark's durationMs breakdown
    watermark             timestamptz,
    valid_rows            bigint,                -- refine: rows that passed validation
    silver_rows           bigint,                -- refine: rows written to silver
    quarantined_rows      bigint,                -- refine: input_rows - valid_rows
    duplicates_dropped    bigint,                -- refine: redeliveries dropped by the dedup state
    late_rows_dropped     bigint,                -- refine: rows behind the watermark the state operator dropped
    state_rows            bigint,                -- refine: keys held in the dedup state
    state_memory_bytes    bigint,
    kafka_lag_max         bigint,                -- ingest: records behind the latest offset, worst partition
    PRIMARY KEY (query_id, batch_id)
);

CREATE INDEX IF NOT EXISTS pipeline_metrics_batch_time ON pipeline_metrics (query_name, batch_time);
