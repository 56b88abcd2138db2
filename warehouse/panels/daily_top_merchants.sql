-- The ten merchants with the most successful rupees over the days in range (gold).
SELECT
    merchant_id,
    mcc,
    sum(txn_count) AS transactions,
    sum(success_amount) AS success_amount_inr,
    sum(success_count)::float8 / nullif(sum(success_count + failed_count), 0) AS success_rate
FROM gold_daily_merchant
WHERE event_date BETWEEN ist_day($__timeFrom()) AND ist_day($__timeTo())
  AND merchant_id <> 'UNKNOWN'
GROUP BY merchant_id, mcc
ORDER BY success_amount_inr DESC, merchant_id
LIMIT 10
