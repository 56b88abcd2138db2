-- Records the stream is behind the newest Kafka offset (worst partition), as each micro-batch saw it.
SELECT
    $__timeGroupAlias(batch_time, $__interval),
    max(kafka_lag_max) AS kafka_lag_records
FROM pipeline_metrics
WHERE $__timeFilter(batch_time) AND query_name = 'ingest'
GROUP BY 1
ORDER BY 1
