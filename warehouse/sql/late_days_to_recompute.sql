-- Business days that received late events since their gold was last published, oldest first.
SELECT event_date FROM late_event_days
WHERE recomputed_at IS NULL OR last_seen > recomputed_at
ORDER BY event_date;
