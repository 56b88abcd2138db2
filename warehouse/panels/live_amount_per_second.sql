-- Money moved per second: the amount of successful transactions, in rupees, by event time.
SELECT
    $__timeGroupAlias(event_time, $__interval),
    coalesce(sum(amount) FILTER (WHERE status = 'SUCCESS'), 0) * 1000.0 / $__interval_ms AS success_inr_per_second
FROM clean_upi_transactions
WHERE $__timeFilter(event_time)
GROUP BY 1
ORDER BY 1
