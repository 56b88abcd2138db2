-- P2P against P2M over the days in range (gold): transactions and successful rupees.
SELECT
    txn_type,
    sum(txn_count) AS transactions,
    sum(success_amount) AS success_amount_inr
FROM gold_daily_txn_type
WHERE event_date BETWEEN ist_day($__timeFrom()) AND ist_day($__timeTo())
GROUP BY txn_type
ORDER BY txn_type
