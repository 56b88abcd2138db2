-- Records each streaming query is behind the newest Kafka offset (worst partition), as its micro-batches saw it.
SELECT
    $__timeGroupAlias(batch_time, $__interval),
    query_name AS metric,
    max(kafka_lag_max) AS kafka_lag_records
FROM pipeline_metrics
WHERE $__timeFilter(batch_time) AND kafka_lag_max IS NOT NULL
GROUP BY 1, 2
ORDER BY 1, 2
