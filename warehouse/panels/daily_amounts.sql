-- Successful rupees per IST business day (gold), one series each for P2P and P2M.
SELECT
    event_date::timestamp AT TIME ZONE 'Asia/Kolkata' AS "time",
    txn_type AS metric,
    success_amount AS success_amount_inr
FROM gold_daily_txn_type
WHERE event_date BETWEEN ist_day($__timeFrom()) AND ist_day($__timeTo())
ORDER BY 1, 2
