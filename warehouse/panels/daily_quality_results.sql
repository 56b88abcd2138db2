-- Great Expectations verdicts of the gold job: one row per suite and run, newest first.
SELECT
    validated_at,
    event_date,
    suite,
    success,
    evaluated,
    failed,
    failures::text AS failures
FROM dq_results
WHERE $__timeFilter(validated_at)
ORDER BY validated_at DESC, suite
LIMIT 200
