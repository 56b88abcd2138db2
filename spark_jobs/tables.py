"""Names of the lake tables and what one row of each is (its grain)."""

from __future__ import annotations

from upi.settings import Settings

BRONZE = "bronze_upi_events"
"""One row per Kafka record received, exactly as received (duplicates and invalid records included)."""

QUARANTINE = "quarantine_upi_events"
"""One row per bronze record that breaks the contract, with the first rule it broke."""

SILVER = "silver_upi_transactions"
"""One row per distinct (txn_id, status) state of a valid transaction: redeliveries dropped."""


def checkpoint(settings: Settings, query: str) -> str:
    """Checkpoint location of one streaming query, e.g. ``checkpoint(settings, "ingest")``."""
    return f"{settings.checkpoint_uri}/{query}"
