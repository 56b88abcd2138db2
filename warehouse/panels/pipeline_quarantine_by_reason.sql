-- Records that broke the event contract, by reason: how many, and when first and last seen.
SELECT
    reason,
    count(*) AS events,
    min(ingest_time) AS first_seen,
    max(ingest_time) AS last_seen
FROM quarantine_upi_events
WHERE $__timeFilter(ingest_time)
GROUP BY reason
ORDER BY events DESC, reason
