-- Rows per second each streaming query processed.
SELECT
    $__timeGroupAlias(batch_time, $__interval),
    query_name AS metric,
    avg(rows_per_second) AS rows_per_second
FROM pipeline_metrics
WHERE $__timeFilter(batch_time)
GROUP BY 1, 2
ORDER BY 1, 2
