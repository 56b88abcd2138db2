-- One ledger row per (query, micro-batch, target): the refine query writes each micro-batch to two Postgres
-- targets (clean_upi_transactions and quarantine_upi_events), each in its own exactly-once transaction.
ALTER TABLE sink_batches DROP CONSTRAINT sink_batches_pkey;
ALTER TABLE sink_batches ADD PRIMARY KEY (app_id, batch_id, target);
