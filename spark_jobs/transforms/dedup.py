"""Drop redeliveries: the same (txn_id, status) arriving again within the dedup window.

A status transition of one transaction (PENDING, then SUCCESS) is two distinct states, so both survive.

The watermark is on ``ingest_time`` (when the record reached bronze), not on the event's own time: a
redelivery is an arrival-time phenomenon (producer retries, replays), and an event whose ``event_time``
is hours old must still reach silver, not be dropped as "late" by the state operator. Bronze is appended
in ingest order, so no row is ever behind this watermark; the state stays bounded by the window.

Example::

    >>> unique = drop_redeliveries(valid_events, "10 minutes")   # doctest: +SKIP
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

DEDUP_KEY = ("txn_id", "status")
ARRIVAL_TIME = "ingest_time"


RECORD_KEY = "_record"


def drop_redeliveries(events: DataFrame, window: str, *, keep_every: Column | None = None) -> DataFrame:
    """Keep the first copy of each ``DEDUP_KEY`` seen within ``window`` of arrival time (bounded state).

    Rows for which ``keep_every`` holds are all kept, each keyed by its own Kafka coordinates: the refine
    query passes the records that broke the contract through, and every one of them goes to quarantine.
    """
    keys = list(DEDUP_KEY)
    if keep_every is not None:
        record = F.concat_ws(":", F.col("kafka_partition"), F.col("kafka_offset"))
        events = events.withColumn(RECORD_KEY, F.when(keep_every, record))
        keys.append(RECORD_KEY)
    unique = events.withWatermark(ARRIVAL_TIME, window).dropDuplicatesWithinWatermark(keys)
    return unique.drop(RECORD_KEY) if keep_every is not None else unique


def arrived_late(window: str) -> Column:
    """True for an event that reached bronze more than ``window`` after its own ``event_time``.

    Such events still go to silver and Postgres; they are counted, and the business days they touch are
    recorded so daily aggregates of those days can be recomputed.
    """
    return F.col(ARRIVAL_TIME) > F.col("event_time") + F.expr(f"INTERVAL {window}")
