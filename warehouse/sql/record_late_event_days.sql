-- Count the staged micro-batch's late arrivals (ingest_time more than %(late_after)s after event_time)
-- against their business day.
INSERT INTO late_event_days AS days (event_date, late_rows)
SELECT event_date, count(*)
FROM stage_clean_upi_transactions
WHERE ingest_time > event_time + %(late_after)s::interval
GROUP BY event_date
ON CONFLICT (event_date) DO UPDATE SET
    late_rows = days.late_rows + EXCLUDED.late_rows,
    last_seen = now();
