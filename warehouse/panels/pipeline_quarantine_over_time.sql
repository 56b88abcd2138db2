-- Quarantined records per bucket, one series per reason.
SELECT
    $__timeGroupAlias(ingest_time, $__interval),
    reason AS metric,
    count(*) AS events
FROM quarantine_upi_events
WHERE $__timeFilter(ingest_time)
GROUP BY 1, 2
ORDER BY 1, 2
