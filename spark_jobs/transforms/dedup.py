"""Drop redelivered events: the same (txn_id, status) seen again within the watermark.

A status transition of one transaction (PENDING, then SUCCESS) is two distinct states, so both survive.

Example::

    >>> unique = drop_redeliveries(valid_events, "10 minutes")   # doctest: +SKIP
"""

from __future__ import annotations

from pyspark.sql import DataFrame

DEDUP_KEY = ("txn_id", "status")


def drop_redeliveries(events: DataFrame, watermark_delay: str) -> DataFrame:
    """Keep the first copy of each ``DEDUP_KEY`` within ``watermark_delay`` of event time (bounded state)."""
    return events.withWatermark("event_time", watermark_delay).dropDuplicatesWithinWatermark(list(DEDUP_KEY))
