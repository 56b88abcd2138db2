-- The deduplication state and what it dropped: redeliveries and rows behind the watermark.
SELECT
    $__timeGroupAlias(batch_time, $__interval),
    max(state_rows) AS state_keys,
    sum(duplicates_dropped) AS duplicates_dropped,
    sum(late_rows_dropped) AS late_rows_dropped
FROM pipeline_metrics
WHERE $__timeFilter(batch_time) AND query_name = 'refine'
GROUP BY 1
ORDER BY 1
