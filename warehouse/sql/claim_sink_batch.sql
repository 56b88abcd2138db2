-- Claim a micro-batch for a sink: returns a row only the first time (app_id, batch_id, target) is seen.
-- Runs inside the batch's transaction, so a rolled-back batch leaves no claim behind.
INSERT INTO sink_batches (app_id, batch_id, target, rows_in, rows_upserted)
VALUES (%(app_id)s, %(batch_id)s, %(target)s, 0, 0)
ON CONFLICT (app_id, batch_id, target) DO NOTHING
RETURNING batch_id;
