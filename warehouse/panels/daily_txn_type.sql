-- P2P against P2M over the days in range (gold): transactions and successful rupees.
SELECT
    txn_type,
    sum(txn_count) AS transactions,
    sum(success_amount) AS success_amount_inr
FROM gold_daily_txn_type
WHERE event_date BETWEEN ($__timeFrom()::timestamptz AT TIME ZONE 'Asia/Kolkata')::date
                     AND ($__timeTo()::timestamptz AT TIME ZONE 'Asia/Kolkata')::date
GROUP BY txn_type
ORDER BY txn_type
