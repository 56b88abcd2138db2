"""The generator's traffic against its documented targets (generator/profiles.py), on large samples."""

from __future__ import annotations

import itertools
import json
import statistics
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

import pytest

from generator.events import FAILURE_CODES, MERCHANT_CATEGORIES, PSPS, EventFactory, Kind, TrafficMix
from generator.profiles import FESTIVAL_HOURLY_IST, HOURLY_IST, IST, PROFILES, STEADY, Profile

SAMPLE = 200_000
MONTH_START = datetime(2026, 11, 1, tzinfo=IST)  # a month of traffic, from its first day


@cache
def events(profile: Profile = STEADY, days: float = 30.0, seed: int = 11) -> tuple[dict[str, Any], ...]:
    """The JSON of every valid record of a ``days``-long run starting on the 1st (cached per profile)."""
    factory = EventFactory(seed, MONTH_START, TrafficMix(), events_per_second=SAMPLE / (days * 86_400),
                           profile=profile)  # fmt: skip
    return tuple({"kind": r.kind, **json.loads(r.value)} for r in factory.records(SAMPLE))


def new(sample: tuple[dict[str, Any], ...]) -> list[dict[str, Any]]:
    return [e for e in sample if e["kind"] is Kind.NEW]


def final_states(sample: tuple[dict[str, Any], ...]) -> dict[str, dict[str, Any]]:
    return {e["txn_id"]: e for e in sample}  # a transition comes after its PENDING state


def hour_of(event: dict[str, Any]) -> int:
    return datetime.fromisoformat(event["event_time"]).astimezone(IST).hour


def test_psp_shares_follow_npci_app_statistics() -> None:
    counts = Counter(e["payer_psp"] for e in new(events()))
    total = sum(counts.values())
    for app, share, _, _ in PSPS:
        assert counts[app] / total == pytest.approx(share, abs=0.02), app


def test_each_payer_keeps_one_app_and_its_handle() -> None:
    apps: dict[str, set[str]] = defaultdict(set)
    for event in new(events()):
        apps[event["payer_vpa"]].add(event["payer_psp"])
    handles = {app: set(h) for app, _, h, _ in PSPS}
    assert all(len(seen) == 1 for seen in apps.values())
    assert all(vpa.split("@")[1] in handles[next(iter(seen))] for vpa, seen in apps.items())


def test_p2m_is_the_majority_of_counts() -> None:
    types = Counter(e["txn_type"] for e in new(events()))
    assert types["P2M"] / sum(types.values()) == pytest.approx(0.62, abs=0.01)


def test_between_92_and_95_percent_of_transactions_end_successful() -> None:
    statuses = Counter(e["status"] for e in final_states(events()).values())
    assert 0.92 <= statuses["SUCCESS"] / sum(statuses.values()) <= 0.95


def test_failures_spread_over_npci_codes_in_their_proportions() -> None:
    codes = Counter(e["response_code"] for e in final_states(events()).values() if e["status"] == "FAILED")
    total = sum(codes.values())
    for code, share in FAILURE_CODES:
        assert codes[code] / total == pytest.approx(share, abs=0.025), code


def test_merchant_amounts_are_log_normal_around_their_category_median() -> None:
    amounts: dict[str, list[float]] = defaultdict(list)
    for event in new(events()):
        if event["txn_type"] == "P2M":
            amounts[event["mcc"]].append(float(event["amount"]))
    for mcc, _, median, _ in MERCHANT_CATEGORIES:
        assert statistics.median(amounts[mcc]) == pytest.approx(median, rel=0.1), mcc


def test_small_tickets_dominate_and_the_upi_limit_caps_the_tail() -> None:
    amounts = [float(e["amount"]) for e in new(events())]
    assert sum(a < 500 for a in amounts) / len(amounts) > 0.5
    assert max(amounts) <= 100_000
    assert statistics.mean(amounts) > 1.5 * statistics.median(amounts)  # heavy right tail


def test_traffic_follows_the_ist_day_night_trough_and_evening_peak() -> None:
    hours = Counter(hour_of(e) for e in new(events()))
    observed = [hours[h] / (sum(hours.values()) / 24) for h in range(24)]
    assert all(o == pytest.approx(w, rel=0.12) for o, w in zip(observed, HOURLY_IST, strict=True))
    assert min(hours, key=lambda h: hours[h]) in range(2, 6)
    assert max(hours, key=lambda h: hours[h]) in range(18, 22)


def test_the_first_days_of_the_month_carry_the_salary_bump() -> None:
    days = Counter(datetime.fromisoformat(e["event_time"]).astimezone(IST).day for e in new(events()))
    assert statistics.mean(days[d] for d in (1, 2)) > 1.08 * statistics.mean(days[d] for d in range(10, 26))


def test_merchant_popularity_is_zipf() -> None:
    merchants = Counter(e["merchant_id"] for e in new(events()) if e["txn_type"] == "P2M")
    weights = [rank**-STEADY.zipf_exponent for rank in range(1, 1_001)]
    top_ten = sum(n for _, n in merchants.most_common(10)) / sum(merchants.values())
    assert top_ten == pytest.approx(sum(weights[:10]) / sum(weights), abs=0.02)


def test_the_same_seed_and_profile_give_the_same_bytes() -> None:
    def values() -> list[bytes]:
        factory = EventFactory(3, MONTH_START, profile=PROFILES["festival"], payers=300, merchants=50)
        return [r.value for r in factory.records(2_000)]

    assert values() == values()


def test_a_festival_is_denser_busier_in_p2m_and_bigger_in_ticket() -> None:
    steady, festival = new(events(STEADY, days=1.0)), new(events(PROFILES["festival"], days=1.0))
    first_hour = [sum(datetime.fromisoformat(e["event_time"]) < MONTH_START + timedelta(hours=1) for e in sample)
                  for sample in (steady, festival)]  # fmt: skip
    assert first_hour[1] / first_hour[0] == pytest.approx(
        3.0 * FESTIVAL_HOURLY_IST[0] / HOURLY_IST[0], rel=0.1
    )
    assert Counter(e["txn_type"] for e in festival)["P2M"] / len(festival) == pytest.approx(0.7, abs=0.01)
    p2m = [[float(e["amount"]) for e in s if e["txn_type"] == "P2M"] for s in (steady, festival)]
    assert statistics.median(p2m[1]) / statistics.median(p2m[0]) == pytest.approx(1.4, rel=0.1)


def test_a_bank_outage_fails_that_banks_payers_with_u30_and_bt_during_its_window() -> None:
    profile = PROFILES["bank-outage"]
    assert profile.outage is not None
    window_end = MONTH_START + profile.outage.begins_after + profile.outage.lasts
    sample = new(events(profile, days=0.25))  # six hours: the outage's half hour, then normal traffic
    during = [e for e in sample if datetime.fromisoformat(e["event_time"]) < window_end]
    after = [e for e in sample if datetime.fromisoformat(e["event_time"]) >= window_end]

    def failures(group: list[dict[str, Any]], bank: str) -> list[dict[str, Any]]:
        return [e for e in group if e["payer_bank"] == bank and e["status"] == "FAILED"]

    bank = profile.outage.bank
    hit = [e for e in during if e["payer_bank"] == bank]
    assert len(failures(during, bank)) / len(hit) > 0.6
    codes = Counter(e["response_code"] for e in failures(during, bank))
    assert (codes["U30"] + codes["BT"]) / sum(codes.values()) > 0.8
    assert len(failures(after, bank)) / sum(e["payer_bank"] == bank for e in after) < 0.1
    others = [e for e in during if e["payer_bank"] != bank]
    assert len([e for e in others if e["status"] == "FAILED"]) / len(others) < 0.1


def test_the_hot_key_knob_sends_a_share_of_p2m_to_one_merchant() -> None:
    hot = replace(STEADY, hot_key_rate=0.2)
    factory = EventFactory(5, MONTH_START, profile=hot)
    p2m = [json.loads(r.value) for r in factory.records(20_000) if r.kind is Kind.NEW]
    merchants = Counter(e.get("merchant_id") for e in p2m if e["txn_type"] == "P2M")
    assert merchants["M0000000"] / sum(merchants.values()) > 0.2


def test_the_uniform_profile_spaces_events_evenly() -> None:
    factory = EventFactory(1, MONTH_START, events_per_second=10.0)
    times = [datetime.fromisoformat(json.loads(r.value)["event_time"]) for r in factory.records(50)]
    assert {b - a for a, b in itertools.pairwise(times)} == {timedelta(milliseconds=100)}
    assert times[0].astimezone(UTC) == MONTH_START.astimezone(UTC)


def test_a_run_laid_out_to_end_now_ends_now_whatever_the_hour() -> None:
    end = datetime(2026, 11, 25, 4, 30, tzinfo=IST)  # the night trough: sparse event times
    factory = EventFactory(
        2, STEADY.start_for(end, 5_000, 1_000.0), events_per_second=1_000.0, profile=STEADY
    )
    last = datetime.fromisoformat(json.loads(list(factory.records(5_000))[-1].value)["event_time"])
    assert abs(last - end) < timedelta(milliseconds=50)


def test_a_paced_run_keeps_the_profile_but_not_its_time_shape() -> None:
    flat = PROFILES["festival"].flat()
    assert {flat.intensity(MONTH_START + timedelta(hours=h)) for h in range(48)} == {1.0}
    assert (flat.p2m_share, flat.amount_scale) == (0.7, 1.4)
