-- One row into the sink's staging table: the row-at-a-time baseline of the sink benchmark
-- (benchmarks/sink.py), executemany'd 20 rows per transaction like the seed project did.
INSERT INTO stage_clean_upi_transactions (
    txn_id, payer_vpa, payee_vpa, amount, status, event_time,
    txn_type, payer_psp, payer_bank, payee_bank, merchant_id, mcc, response_code, channel,
    event_date, kafka_topic, kafka_partition, kafka_offset, ingest_time
) VALUES (
    %(txn_id)s, %(payer_vpa)s, %(payee_vpa)s, %(amount)s, %(status)s, %(event_time)s,
    %(txn_type)s, %(payer_psp)s, %(payer_bank)s, %(payee_bank)s, %(merchant_id)s, %(mcc)s,
    %(response_code)s, %(channel)s,
    %(event_date)s, %(kafka_topic)s, %(kafka_partition)s, %(kafka_offset)s, %(ingest_time)s
);
