"""Spark progress report → one ``pipeline_metrics`` row."""

from __future__ import annotations

import json
from typing import Any

from spark_jobs.metrics import BatchPhases, batch_metrics

REFINE: dict[str, Any] = {
    "id": "0da15cc0-448e-45e7-bb5f-cac9b0d07055",
    "runId": "f19730d6-366b-4902-96e0-d0522480ce2f",
    "name": "refine",
    "timestamp": "2026-11-25T06:00:00.000Z",
    "batchId": 7,
    "numInputRows": 1000,
    "inputRowsPerSecond": 500.0,
    "processedRowsPerSecond": 800.0,
    "durationMs": {"addBatch": 1100, "triggerExecution": 1250},
    "eventTime": {"watermark": "2026-11-25T05:50:00.000Z"},
    "stateOperators": [
        {
            "operatorName": "dedupeWithinWatermark",
            "numRowsTotal": 950,
            "memoryUsedBytes": 123456,
            "numRowsDroppedByWatermark": 2,
            "customMetrics": {"numDroppedDuplicateRows": 48},
        }
    ],
    "sources": [{"description": "DeltaSource[file:/lake/bronze_upi_events]", "numInputRows": 1000}],
    "observedMetrics": {"valid_rows": {"rows": 970}, "silver_rows": {"rows": 920, "late": 3}},
}

INGEST: dict[str, Any] = {
    "id": "dd3d1483-2774-4893-81b6-a99dc2dd2f4f",
    "runId": "774c0120-f925-4bae-a24c-0d69386b53e2",
    "name": "ingest",
    "timestamp": "2026-11-25T06:00:01.000Z",
    "batchId": 3,
    "numInputRows": 1000,
    "inputRowsPerSecond": "NaN",
    "processedRowsPerSecond": 2000.0,
    "durationMs": {"triggerExecution": 500},
    "stateOperators": [],
    "sources": [
        {
            "description": "KafkaV2[Subscribe[upi_transactions]]",
            "metrics": {
                "avgOffsetsBehindLatest": "10.0",
                "maxOffsetsBehindLatest": "15",
                "minOffsetsBehindLatest": "5",
            },
        }
    ],
}


def test_refine_counts_come_from_observed_metrics_and_the_dedup_state() -> None:
    metrics = batch_metrics(REFINE)
    assert (metrics.valid_rows, metrics.silver_rows, metrics.quarantined_rows) == (970, 920, 30)
    assert (metrics.duplicates_dropped, metrics.late_rows_dropped, metrics.late_rows) == (48, 2, 3)
    assert (metrics.state_rows, metrics.state_memory_bytes) == (950, 123456)


def test_refine_keeps_the_batch_identity_timing_and_watermark() -> None:
    metrics = batch_metrics(REFINE)
    assert (metrics.query_name, metrics.batch_id, metrics.duration_ms) == ("refine", 7, 1250)
    assert metrics.watermark == "2026-11-25T05:50:00.000Z"
    assert json.loads(metrics.durations) == {"addBatch": 1100, "triggerExecution": 1250}


def test_ingest_reports_the_worst_partition_lag_and_no_refine_counts() -> None:
    metrics = batch_metrics(INGEST)
    assert metrics.kafka_lag_max == 15
    assert (metrics.silver_rows, metrics.duplicates_dropped, metrics.state_rows) == (None, None, None)


def test_a_rate_spark_cannot_compute_is_stored_as_null() -> None:
    assert batch_metrics(INGEST).input_rows_per_second is None


def test_the_live_line_names_the_query_batch_and_outcomes() -> None:
    line = batch_metrics(REFINE).line()
    assert line.startswith("refine batch 7: 1,000 rows")
    assert "silver 920" in line and "duplicates 48" in line and "late 3" in line


def test_the_phases_a_batch_function_recorded_join_spark_durations_within_add_batch() -> None:
    metrics = batch_metrics(REFINE, {"compute": 800, "postgres": 250})
    assert json.loads(metrics.durations) == {
        "addBatch": 1100, "addBatch.compute": 800, "addBatch.postgres": 250, "triggerExecution": 1250,
    }  # fmt: skip


def test_a_batchs_phases_are_taken_once_and_only_for_that_query_and_batch() -> None:
    phases = BatchPhases()
    phases.record("refine-id", 7, {"compute": 800})
    assert phases.take("ingest-id", 7) == {}
    assert phases.take("refine-id", 7) == {"compute": 800}
    assert phases.take("refine-id", 7) == {}
