-- The Postgres sink: rows upserted per second and the slowest transaction, from its exactly-once ledger.
SELECT
    $__timeGroupAlias(committed_at, $__interval),
    sum(rows_upserted) * 1000.0 / $__interval_ms AS rows_upserted_per_second,
    max(write_ms) AS slowest_write_ms
FROM sink_batches
WHERE $__timeFilter(committed_at)
GROUP BY 1
ORDER BY 1
