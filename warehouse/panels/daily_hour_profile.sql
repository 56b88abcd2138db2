-- Transactions by IST hour of day over the days in range (gold): the night trough and evening peak.
SELECT
    lpad(hour::text, 2, '0') AS hour_ist,
    sum(txn_count) AS transactions
FROM gold_hourly
WHERE event_date BETWEEN ist_day($__timeFrom()) AND ist_day($__timeTo())
GROUP BY hour
ORDER BY hour
