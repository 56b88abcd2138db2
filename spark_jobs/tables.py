"""Names of the lake tables and what one row of each is (its grain)."""

from __future__ import annotations

from upi.settings import Settings

BRONZE = "bronze_upi_events"
"""One row per Kafka record received, exactly as received (duplicates and invalid records included)."""

QUARANTINE = "quarantine_upi_events"
"""One row per bronze record that breaks the contract, with the first rule it broke."""

SILVER = "silver_upi_transactions"
"""One row per distinct (txn_id, status) state of a valid transaction: redeliveries dropped."""


INGEST_QUERY = "ingest"
"""Kafka → bronze."""

REFINE_QUERY = "refine"
"""Kafka → silver + Postgres, and quarantine (Delta + Postgres)."""


def checkpoint(settings: Settings, query: str) -> str:
    """Checkpoint location of one streaming query, e.g. ``checkpoint(settings, INGEST_QUERY)``.

    A query's offsets belong to one topic, so its checkpoint is per topic: pointing ``UPI_KAFKA_TOPIC``
    at another topic starts reading that one instead of failing on the old offsets.
    """
    return f"{settings.checkpoint_uri}/{query}/{settings.kafka_topic}"


def bronze_fed_refine_checkpoint(settings: Settings) -> str:
    """Where the refine query of releases before it read Kafka kept its checkpoint (it read bronze)."""
    return f"{settings.checkpoint_uri}/{REFINE_QUERY}"
