-- Success rate per IST day (gold).
SELECT
    event_date::timestamp AT TIME ZONE 'Asia/Kolkata' AS "time",
    success_rate
FROM gold_daily_summary
WHERE event_date BETWEEN ($__timeFrom()::timestamptz AT TIME ZONE 'Asia/Kolkata')::date
                     AND ($__timeTo()::timestamptz AT TIME ZONE 'Asia/Kolkata')::date
ORDER BY 1
