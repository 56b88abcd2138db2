-- Failure rate by NPCI response code over time: a code's failures over all decided transactions of the bucket.
WITH decided AS (
    SELECT $__timeGroup(event_time, $__interval) AS bucket, status, response_code
    FROM clean_upi_transactions
    WHERE $__timeFilter(event_time) AND status <> 'PENDING'
),
per_bucket AS (
    SELECT bucket, count(*) AS decided FROM decided GROUP BY bucket
)
SELECT
    to_timestamp(d.bucket) AS "time",
    coalesce(d.response_code, 'none') AS metric,
    count(*)::float8 / max(b.decided) AS failure_rate
FROM decided AS d
JOIN per_bucket AS b USING (bucket)
WHERE d.status = 'FAILED'
GROUP BY d.bucket, d.response_code
ORDER BY 1, 2
