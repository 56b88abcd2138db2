-- Transactions by IST hour of day over the days in range (gold): the night trough and evening peak.
SELECT
    lpad(hour::text, 2, '0') AS hour_ist,
    sum(txn_count) AS transactions
FROM gold_hourly
WHERE event_date BETWEEN ($__timeFrom()::timestamptz AT TIME ZONE 'Asia/Kolkata')::date
                     AND ($__timeTo()::timestamptz AT TIME ZONE 'Asia/Kolkata')::date
GROUP BY hour
ORDER BY hour
