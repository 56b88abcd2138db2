-- The ten merchants that received the most money in the time range.
SELECT
    merchant_id,
    max(mcc) AS mcc,
    count(*) AS transactions,
    coalesce(sum(amount) FILTER (WHERE status = 'SUCCESS'), 0) AS success_amount_inr,
    count(*) FILTER (WHERE status = 'SUCCESS')::float8
        / nullif(count(*) FILTER (WHERE status <> 'PENDING'), 0) AS success_rate
FROM clean_upi_transactions
WHERE $__timeFilter(event_time) AND merchant_id IS NOT NULL
GROUP BY merchant_id
ORDER BY success_amount_inr DESC, merchant_id
LIMIT 10
