-- Rupees moved per IST day (gold): the successful amount, and the mean and 95th percentile ticket.
SELECT
    event_date::timestamp AT TIME ZONE 'Asia/Kolkata' AS "time",
    success_amount AS success_amount_inr,
    avg_success_amount AS avg_ticket_inr,
    p95_success_amount AS p95_ticket_inr
FROM gold_daily_summary
WHERE event_date BETWEEN ($__timeFrom()::timestamptz AT TIME ZONE 'Asia/Kolkata')::date
                     AND ($__timeTo()::timestamptz AT TIME ZONE 'Asia/Kolkata')::date
ORDER BY 1
