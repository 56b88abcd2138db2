-- Record what a claimed micro-batch wrote, and how long since the claim (now() is the transaction's start);
-- committed with the upsert.
UPDATE sink_batches
SET rows_in = %(rows_in)s, rows_upserted = %(rows_upserted)s, committed_at = now(),
    write_ms = 1000 * extract(epoch FROM clock_timestamp() - now())
WHERE app_id = %(app_id)s AND batch_id = %(batch_id)s AND target = %(target)s;
