-- Transactions per IST business day (gold), drawn at the day's midnight in India.
SELECT
    event_date::timestamp AT TIME ZONE 'Asia/Kolkata' AS "time",
    txn_count AS transactions,
    success_count AS successful,
    failed_count AS failed
FROM gold_daily_summary
WHERE event_date BETWEEN ($__timeFrom()::timestamptz AT TIME ZONE 'Asia/Kolkata')::date
                     AND ($__timeTo()::timestamptz AT TIME ZONE 'Asia/Kolkata')::date
ORDER BY 1
