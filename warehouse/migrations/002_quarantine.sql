-- quarantine_upi_events: every record that broke the event contract, one row per Kafka record, so an
-- operator can look a record up by reason, time or coordinates, and replay it after a fix. Written by the
-- ingest query's sink exactly once per micro-batch (the ledger below); the Kafka coordinates are the key.
CREATE TABLE IF NOT EXISTS quarantine_upi_events (
    kafka_topic     text        NOT NULL,
    kafka_partition integer     NOT NULL,
    kafka_offset    bigint      NOT NULL,
    reason          text        NOT NULL,
    reason_detail   text,
    value           bytea       NOT NULL,  -- the record exactly as received
    value_text      text,                  -- the same as text, when it is UTF-8 without NUL characters
    key             bytea,
    kafka_timestamp timestamptz NOT NULL,
    ingest_time     timestamptz NOT NULL,
    PRIMARY KEY (kafka_topic, kafka_partition, kafka_offset)
);

CREATE INDEX IF NOT EXISTS quarantine_upi_events_reason ON quarantine_upi_events (reason, ingest_time);
CREATE INDEX IF NOT EXISTS quarantine_upi_events_ingest_time ON quarantine_upi_events (ingest_time);

-- The ledger now serves two sinks; a query writes one target, so (app_id, batch_id) stays the key.
ALTER TABLE sink_batches ADD COLUMN IF NOT EXISTS target text NOT NULL DEFAULT 'clean_upi_transactions';
