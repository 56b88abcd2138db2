-- Record what a claimed micro-batch wrote; committed with the upsert.
UPDATE sink_batches
SET rows_in = %(rows_in)s, rows_upserted = %(rows_upserted)s, committed_at = now()
WHERE app_id = %(app_id)s AND batch_id = %(batch_id)s;
