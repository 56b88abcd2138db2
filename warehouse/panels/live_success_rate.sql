-- Success and failure rate among decided transactions (PENDING ones are not decided yet).
SELECT
    $__timeGroupAlias(event_time, $__interval),
    count(*) FILTER (WHERE status = 'SUCCESS')::float8 / count(*) AS success_rate,
    count(*) FILTER (WHERE status = 'FAILED')::float8 / count(*) AS failure_rate
FROM clean_upi_transactions
WHERE $__timeFilter(event_time) AND status <> 'PENDING'
GROUP BY 1
ORDER BY 1
