-- Freshness: seconds from a transaction's event time to its row being written in Postgres, by write time.
WITH buckets AS (
    SELECT
        $__timeGroup(updated_at, $__interval) AS bucket,
        -- one sort per bucket for all three percentiles
        percentile_cont(ARRAY[0.50, 0.95, 0.99]) WITHIN GROUP (ORDER BY updated_at - event_time) AS p
    FROM clean_upi_transactions
    WHERE $__timeFilter(updated_at)
    GROUP BY 1
)
SELECT
    to_timestamp(bucket) AS "time",
    extract(epoch FROM p[1]) AS p50_seconds,
    extract(epoch FROM p[2]) AS p95_seconds,
    extract(epoch FROM p[3]) AS p99_seconds
FROM buckets
ORDER BY 1
