-- Days that received events after their gold was built, and whether gold has been rebuilt since.
SELECT
    event_date,
    late_rows,
    last_seen,
    recomputed_at,
    recomputed_at IS NOT NULL AND recomputed_at >= last_seen AS gold_up_to_date
FROM late_event_days
WHERE $__timeFilter(last_seen)
ORDER BY event_date DESC
