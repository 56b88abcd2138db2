-- Person-to-person against person-to-merchant payments per second.
SELECT
    $__timeGroupAlias(event_time, $__interval),
    coalesce(txn_type, 'UNKNOWN') AS metric,
    count(*) * 1000.0 / $__interval_ms AS transactions_per_second
FROM clean_upi_transactions
WHERE $__timeFilter(event_time)
GROUP BY 1, 2
ORDER BY 1, 2
