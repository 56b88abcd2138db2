-- The slowest micro-batch of each query per bucket, in milliseconds (trigger to commit).
SELECT
    $__timeGroupAlias(batch_time, $__interval),
    query_name AS metric,
    max(duration_ms) AS duration_ms
FROM pipeline_metrics
WHERE $__timeFilter(batch_time)
GROUP BY 1, 2
ORDER BY 1, 2
