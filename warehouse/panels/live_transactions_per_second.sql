-- Transactions per second by event time (each transaction once, in its latest state).
SELECT
    $__timeGroupAlias(event_time, $__interval),
    count(*) * 1000.0 / $__interval_ms AS transactions_per_second
FROM clean_upi_transactions
WHERE $__timeFilter(event_time)
GROUP BY 1
ORDER BY 1
