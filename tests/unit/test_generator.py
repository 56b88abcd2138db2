"""The generator: deterministic per seed, ids that never collide, the requested mix, and the contract."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, datetime

import pytest

from generator.events import EventFactory, Kind, TrafficMix
from upi.contract import ContractViolationError, pattern_of, validate_event

START = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)


def records(seed: int, count: int, mix: TrafficMix | None = None) -> list:  # type: ignore[type-arg]
    return list(EventFactory(seed, START, mix, payers=300, merchants=50).records(count))


def test_the_same_seed_gives_the_same_bytes() -> None:
    assert [r.value for r in records(7, 500)] == [r.value for r in records(7, 500)]


def test_different_seeds_give_different_transaction_ids() -> None:
    ids = {r.txn_id for r in records(1, 2_000)} & {r.txn_id for r in records(2, 2_000)}
    assert ids == set()


def test_transaction_ids_never_collide_within_a_run() -> None:
    news = [r.txn_id for r in records(3, 20_000) if r.kind in (Kind.NEW, Kind.LATE)]
    assert len(news) == len(set(news))


def test_every_valid_record_satisfies_the_contract() -> None:
    for record in records(4, 3_000, TrafficMix(duplicate_rate=0.1, late_rate=0.05)):
        validate_event(json.loads(record.value))


def test_every_invalid_record_breaks_the_contract() -> None:
    invalid = [r for r in records(5, 3_000, TrafficMix(invalid_rate=0.2)) if r.kind is Kind.INVALID]
    assert invalid
    for record in invalid:
        try:
            event = json.loads(record.value)
        except (UnicodeDecodeError, json.JSONDecodeError):
            continue
        if "event_time" in event and event["event_time"] > "2026-11-26":
            continue  # valid shape, but years in the future: the stream's rule, not the schema's
        with pytest.raises(ContractViolationError):
            validate_event(event)


def test_the_mix_is_close_to_what_was_asked() -> None:
    kinds = Counter(r.kind for r in records(6, 20_000, TrafficMix(duplicate_rate=0.05, invalid_rate=0.02)))
    assert 0.04 < kinds[Kind.DUPLICATE] / 20_000 < 0.06
    assert 0.015 < kinds[Kind.INVALID] / 20_000 < 0.025


def test_a_duplicate_repeats_an_earlier_record_byte_for_byte() -> None:
    sent = records(8, 2_000, TrafficMix(duplicate_rate=0.1))
    earlier: set[bytes] = set()
    for record in sent:
        if record.kind is Kind.DUPLICATE:
            assert record.value in earlier
        earlier.add(record.value)


def test_a_transition_resolves_an_earlier_pending_transaction() -> None:
    sent = records(9, 5_000, TrafficMix(pending_rate=0.1))
    pending = {r.txn_id for r in sent if r.status == "PENDING" and r.kind is Kind.NEW}
    transitions = [r for r in sent if r.kind is Kind.TRANSITION]
    assert transitions and all(r.txn_id in pending and r.status in ("SUCCESS", "FAILED") for r in transitions)


def test_rates_that_add_up_to_more_than_one_are_refused() -> None:
    with pytest.raises(ValueError, match="must not exceed 1"):
        TrafficMix(duplicate_rate=0.6, invalid_rate=0.6)


def test_every_pooled_vpa_matches_the_contract_pattern() -> None:
    factory = EventFactory(5, START)  # the default pool sizes, as `upi generate` uses them
    vpas = [vpa for vpa, _, _ in factory.pools.payers] + [m[0] for m in factory.pools.merchants]
    pattern = re.compile(pattern_of("payer_vpa") or "")
    assert [vpa for vpa in vpas if not pattern.match(vpa)] == []
