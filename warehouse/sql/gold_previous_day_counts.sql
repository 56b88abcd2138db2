-- Transactions per day over the days before %(day)s (at most %(days)s of them): bounds the day's row count.
SELECT txn_count FROM gold_daily_summary
WHERE event_date < %(day)s AND event_date >= %(day)s::date - %(days)s
ORDER BY event_date;
