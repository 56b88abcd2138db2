-- late_event_days: business days (IST) that received events arriving more than the dedup window after
-- their event time. The gold job recomputes these days; the sink adds to it in each batch's transaction.
CREATE TABLE IF NOT EXISTS late_event_days (
    event_date  date        PRIMARY KEY,
    late_rows   bigint      NOT NULL,
    first_seen  timestamptz NOT NULL DEFAULT now(),
    last_seen   timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE pipeline_metrics ADD COLUMN IF NOT EXISTS late_rows bigint;  -- refine: silver rows that arrived late
