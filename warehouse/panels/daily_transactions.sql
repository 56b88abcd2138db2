-- Transactions per IST business day (gold) and the day's success rate, drawn at the day's midnight in India.
SELECT
    event_date::timestamp AT TIME ZONE 'Asia/Kolkata' AS "time",
    txn_count AS transactions,
    success_count AS successful,
    failed_count AS failed,
    success_rate
FROM gold_daily_summary
WHERE event_date BETWEEN ist_day($__timeFrom()) AND ist_day($__timeTo())
ORDER BY 1
