-- Headline numbers of the time range.
SELECT
    count(*) AS transactions,
    coalesce(sum(amount) FILTER (WHERE status = 'SUCCESS'), 0) AS success_amount_inr,
    count(*) FILTER (WHERE status = 'SUCCESS')::float8
        / nullif(count(*) FILTER (WHERE status <> 'PENDING'), 0) AS success_rate,
    count(*) FILTER (WHERE status = 'PENDING') AS pending
FROM clean_upi_transactions
WHERE $__timeFilter(event_time)
