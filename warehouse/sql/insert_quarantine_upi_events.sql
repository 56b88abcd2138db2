-- Add a staged micro-batch of quarantined records; a record already there (same Kafka coordinates) stays.
INSERT INTO quarantine_upi_events (
    kafka_topic, kafka_partition, kafka_offset, reason, reason_detail, value, value_text, key,
    kafka_timestamp, ingest_time
)
SELECT
    kafka_topic, kafka_partition, kafka_offset, reason, reason_detail, decode(value_hex, 'hex'), value_text,
    decode(key_hex, 'hex'), kafka_timestamp, ingest_time
FROM stage_quarantine_upi_events
ON CONFLICT (kafka_topic, kafka_partition, kafka_offset) DO NOTHING;
