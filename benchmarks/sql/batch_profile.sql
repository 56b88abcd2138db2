-- Where each streaming query's micro-batches spent their time, on average (Spark's progress reports, and the
-- phases of addBatch the refine batch function records: null for a query that records none).
SELECT query_name,
       count(*),
       avg(input_rows),
       avg(duration_ms),
       avg((durations::json ->> 'addBatch')::numeric),
       avg(coalesce((durations::json ->> 'latestOffset')::numeric, 0)),
       avg(coalesce((durations::json ->> 'queryPlanning')::numeric, 0)),
       avg(coalesce((durations::json ->> 'walCommit')::numeric, 0)
           + coalesce((durations::json ->> 'commitOffsets')::numeric, 0)),
       avg((durations::json ->> 'addBatch.compute')::numeric),
       avg((durations::json ->> 'addBatch.writes')::numeric),
       avg((durations::json ->> 'addBatch.postgres')::numeric),
       avg((durations::json ->> 'addBatch.silver')::numeric)
FROM pipeline_metrics
WHERE input_rows > 0
GROUP BY query_name
ORDER BY query_name
