-- Merge one staged micro-batch into clean_upi_transactions, keeping one row per txn_id.
-- Precedence of two states of a transaction: a terminal status (SUCCESS, FAILED) beats PENDING whatever
-- the times; between two terminal or two pending states the later event_time wins; a tie keeps what is
-- there, so replaying the same state changes nothing.
WITH latest_in_batch AS (
    SELECT DISTINCT ON (txn_id) *
    FROM stage_clean_upi_transactions
    ORDER BY txn_id, (status <> 'PENDING') DESC, event_time DESC, kafka_partition DESC, kafka_offset DESC
)
INSERT INTO clean_upi_transactions AS current (
    txn_id, payer_vpa, payee_vpa, amount, status, event_time,
    txn_type, payer_psp, payer_bank, payee_bank, merchant_id, mcc, response_code, channel,
    event_date, kafka_topic, kafka_partition, kafka_offset, ingest_time
)
SELECT
    txn_id, payer_vpa, payee_vpa, amount, status, event_time,
    txn_type, payer_psp, payer_bank, payee_bank, merchant_id, mcc, response_code, channel,
    event_date, kafka_topic, kafka_partition, kafka_offset, ingest_time
FROM latest_in_batch
ON CONFLICT (txn_id) DO UPDATE SET
    payer_vpa       = EXCLUDED.payer_vpa,
    payee_vpa       = EXCLUDED.payee_vpa,
    amount          = EXCLUDED.amount,
    status          = EXCLUDED.status,
    event_time      = EXCLUDED.event_time,
    txn_type        = EXCLUDED.txn_type,
    payer_psp       = EXCLUDED.payer_psp,
    payer_bank      = EXCLUDED.payer_bank,
    payee_bank      = EXCLUDED.payee_bank,
    merchant_id     = EXCLUDED.merchant_id,
    mcc             = EXCLUDED.mcc,
    response_code   = EXCLUDED.response_code,
    channel         = EXCLUDED.channel,
    event_date      = EXCLUDED.event_date,
    kafka_topic     = EXCLUDED.kafka_topic,
    kafka_partition = EXCLUDED.kafka_partition,
    kafka_offset    = EXCLUDED.kafka_offset,
    ingest_time     = EXCLUDED.ingest_time,
    updated_at      = now()
WHERE (EXCLUDED.status <> 'PENDING', EXCLUDED.event_time) > (current.status <> 'PENDING', current.event_time);
