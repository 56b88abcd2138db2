-- Failures by NPCI response code in the time range: count, share of failures, rate among decided transactions.
WITH decided AS (
    SELECT status, response_code
    FROM clean_upi_transactions
    WHERE $__timeFilter(event_time) AND status <> 'PENDING'
)
SELECT
    coalesce(response_code, 'none') AS response_code,
    count(*) AS failures,
    count(*)::float8 / sum(count(*)) OVER () AS share_of_failures,
    count(*)::float8 / (SELECT count(*) FROM decided) AS failure_rate
FROM decided
WHERE status = 'FAILED'
GROUP BY 1
ORDER BY failures DESC, response_code
