-- One micro-batch every %(trigger_seconds)s s of both queries over the %(days)s days before %(end)s, its sink
-- ledger row, and 0.5 %% of %(rows)s records quarantined: what a week of the stream leaves behind.
INSERT INTO pipeline_metrics (
    query_name, query_id, run_id, batch_id, batch_time, input_rows, input_rows_per_second, rows_per_second,
    duration_ms, durations, watermark, valid_rows, silver_rows, quarantined_rows, duplicates_dropped,
    late_rows_dropped, state_rows, state_memory_bytes, kafka_lag_max
)
SELECT
    q.name, q.id, q.id, b, batch_time, 40, 8.0, 9.0, 300 + (b %% 17) * 20, '{}'::jsonb,
    batch_time - interval '10 minutes',
    CASE WHEN q.name = 'refine' THEN 39 END, CASE WHEN q.name = 'refine' THEN 38 END,
    CASE WHEN q.name = 'refine' THEN 1 END, CASE WHEN q.name = 'refine' THEN b %% 3 END,
    CASE WHEN q.name = 'refine' THEN b %% 2 END, CASE WHEN q.name = 'refine' THEN 9000 + b %% 500 END,
    CASE WHEN q.name = 'refine' THEN 4000000 END, CASE WHEN q.name = 'ingest' THEN b %% 40 END
FROM (VALUES ('ingest', '00000000-0000-0000-0000-000000000001'::uuid),
             ('refine', '00000000-0000-0000-0000-000000000002'::uuid)) AS q (name, id),
     generate_series(0, %(days)s * 86400 / %(trigger_seconds)s - 1) AS b,
     LATERAL (SELECT %(end)s::timestamptz - (%(days)s * interval '1 day') + b * %(trigger_seconds)s * interval '1 second'
              AS batch_time) AS t;

INSERT INTO sink_batches (app_id, batch_id, rows_in, rows_upserted, committed_at, target, write_ms)
SELECT 'bench-refine', b, 40, 38,
       %(end)s::timestamptz - (%(days)s * interval '1 day') + b * %(trigger_seconds)s * interval '1 second',
       'clean_upi_transactions', 20 + b %% 30
FROM generate_series(0, %(days)s * 86400 / %(trigger_seconds)s - 1) AS b;

INSERT INTO quarantine_upi_events (
    kafka_topic, kafka_partition, kafka_offset, reason, value, kafka_timestamp, ingest_time
)
SELECT 'upi_transactions', 99, n,
       (ARRAY['malformed_json', 'missing_field', 'bad_amount', 'bad_vpa', 'unknown_status'])[1 + n %% 5],
       convert_to('{"bench": ' || n || '}', 'UTF8'), t, t
FROM generate_series(1, %(rows)s / 200) AS n,
     LATERAL (SELECT %(end)s::timestamptz - (n::float8 / (%(rows)s / 200)) * %(days)s * interval '1 day' AS t) AS x;
