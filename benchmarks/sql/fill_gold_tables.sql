-- Gold and data-quality rows for every day of the benchmark's transactions, aggregated straight from
-- clean_upi_transactions (the benchmark times the panels' reads, not the gold job).
INSERT INTO gold_daily_summary
SELECT event_date, count(*), count(*) FILTER (WHERE status = 'SUCCESS'), count(*) FILTER (WHERE status = 'FAILED'),
       count(*) FILTER (WHERE status = 'PENDING'), coalesce(sum(amount) FILTER (WHERE status = 'SUCCESS'), 0),
       count(*) FILTER (WHERE status = 'SUCCESS')::float8 / count(*), sum(amount),
       round(avg(amount) FILTER (WHERE status = 'SUCCESS'), 2),
       percentile_disc(0.5) WITHIN GROUP (ORDER BY amount) FILTER (WHERE status = 'SUCCESS'),
       percentile_disc(0.95) WITHIN GROUP (ORDER BY amount) FILTER (WHERE status = 'SUCCESS'),
       count(DISTINCT payer_vpa), count(DISTINCT payee_vpa)
FROM clean_upi_transactions GROUP BY event_date;

INSERT INTO gold_daily_merchant
SELECT event_date, coalesce(merchant_id, 'UNKNOWN'), coalesce(mcc, 'UNKNOWN'), count(*),
       count(*) FILTER (WHERE status = 'SUCCESS'), count(*) FILTER (WHERE status = 'FAILED'),
       count(*) FILTER (WHERE status = 'PENDING'), coalesce(sum(amount) FILTER (WHERE status = 'SUCCESS'), 0)
FROM clean_upi_transactions GROUP BY 1, 2, 3;

INSERT INTO gold_daily_psp_bank
SELECT event_date, payer_psp, payer_bank, count(*), count(*) FILTER (WHERE status = 'SUCCESS'),
       count(*) FILTER (WHERE status = 'FAILED'), count(*) FILTER (WHERE status = 'PENDING'),
       coalesce(sum(amount) FILTER (WHERE status = 'SUCCESS'), 0),
       count(*) FILTER (WHERE status = 'SUCCESS')::float8 / count(*)
FROM clean_upi_transactions GROUP BY 1, 2, 3;

INSERT INTO gold_hourly
SELECT event_date, extract(hour FROM event_time AT TIME ZONE 'Asia/Kolkata')::int, count(*),
       count(*) FILTER (WHERE status = 'SUCCESS'), count(*) FILTER (WHERE status = 'FAILED'),
       count(*) FILTER (WHERE status = 'PENDING'), coalesce(sum(amount) FILTER (WHERE status = 'SUCCESS'), 0)
FROM clean_upi_transactions GROUP BY 1, 2;

INSERT INTO gold_daily_txn_type
SELECT event_date, txn_type, count(*), count(*) FILTER (WHERE status = 'SUCCESS'),
       count(*) FILTER (WHERE status = 'FAILED'), count(*) FILTER (WHERE status = 'PENDING'),
       coalesce(sum(amount) FILTER (WHERE status = 'SUCCESS'), 0)
FROM clean_upi_transactions GROUP BY 1, 2;

INSERT INTO dq_results (run_id, event_date, suite, success, evaluated, failed, failures, validated_at)
SELECT gen_random_uuid(), event_date, suite, true, 11, 0, '[]'::jsonb, event_date + interval '1 day 30 minutes'
FROM gold_daily_summary, (VALUES ('silver_day'), ('gold_day')) AS s (suite);

INSERT INTO late_event_days (event_date, late_rows, first_seen, last_seen, recomputed_at)
SELECT event_date, 12, event_date + interval '1 day 2 hours', event_date + interval '1 day 3 hours',
       event_date + interval '1 day 4 hours'
FROM gold_daily_summary;
