-- How long each sink transaction took from its ledger claim to its record (collecting the micro-batch from
-- Spark, COPY, merge): the sink's own rate, apart from the rest of the micro-batch. NULL for older rows.
ALTER TABLE sink_batches ADD COLUMN IF NOT EXISTS write_ms double precision;
