-- A session-private staging table for one micro-batch of quarantined records; binary columns arrive as hex.
CREATE TEMP TABLE stage_quarantine_upi_events (
    kafka_topic     text,
    kafka_partition integer,
    kafka_offset    bigint,
    reason          text,
    reason_detail   text,
    value_hex       text,
    value_text      text,
    key_hex         text,
    kafka_timestamp timestamptz,
    ingest_time     timestamptz
) ON COMMIT DROP;
