-- Freshness: seconds from a transaction's event time to its row being written in Postgres, by write time.
SELECT
    $__timeGroupAlias(updated_at, $__interval),
    percentile_cont(0.50) WITHIN GROUP (ORDER BY extract(epoch FROM updated_at - event_time)) AS p50_seconds,
    percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM updated_at - event_time)) AS p95_seconds,
    percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM updated_at - event_time)) AS p99_seconds
FROM clean_upi_transactions
WHERE $__timeFilter(updated_at)
GROUP BY 1
ORDER BY 1
