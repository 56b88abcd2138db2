-- One micro-batch's progress; a batch reported again (replayed after a crash) is kept once.
INSERT INTO pipeline_metrics (
    query_name, query_id, run_id, batch_id, batch_time, input_rows, input_rows_per_second, rows_per_second,
    duration_ms, durations, watermark, valid_rows, silver_rows, quarantined_rows, duplicates_dropped,
    late_rows_dropped, state_rows, state_memory_bytes, kafka_lag_max, late_rows
) VALUES (
    %(query_name)s, %(query_id)s, %(run_id)s, %(batch_id)s, %(batch_time)s, %(input_rows)s, %(input_rows_per_second)s,
    %(rows_per_second)s, %(duration_ms)s, %(durations)s, %(watermark)s, %(valid_rows)s, %(silver_rows)s,
    %(quarantined_rows)s, %(duplicates_dropped)s, %(late_rows_dropped)s, %(state_rows)s,
    %(state_memory_bytes)s, %(kafka_lag_max)s, %(late_rows)s
)
ON CONFLICT (query_id, batch_id) DO NOTHING;
