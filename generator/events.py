"""Synthetic UPI traffic: valid events with status transitions, plus duplicates, late and invalid records on demand.

Pure and deterministic: the same seed and start time give the same records, byte for byte. Faker builds
pools of payers and merchants once; events are drawn from the pools, so generation stays fast.

Example::

    >>> from datetime import UTC, datetime
    >>> factory = EventFactory(seed=7, start=datetime(2026, 11, 25, tzinfo=UTC), mix=TrafficMix(duplicate_rate=0.1))
    >>> records = list(factory.records(1_000))
    >>> len(records)
    1000
"""

from __future__ import annotations

import heapq
import itertools
import json
import random
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from faker import Faker

from generator.profiles import IST, UNIFORM, Profile

# (app, share of payers, VPA handles, txn-id prefix); shares after NPCI's monthly UPI app statistics.
PSPS: tuple[tuple[str, float, tuple[str, ...], str], ...] = (
    ("PhonePe", 0.48, ("ybl", "ibl", "axl"), "YBL"),
    ("Google Pay", 0.37, ("okhdfcbank", "okaxis", "oksbi", "okicici"), "GPY"),
    ("Paytm", 0.07, ("paytm", "ptyes", "pthdfc"), "PTM"),
    ("CRED", 0.03, ("axisb",), "CRD"),
    ("BHIM", 0.05, ("upi",), "BHM"),
)
BANKS = ("SBIN", "HDFC", "ICIC", "UTIB", "PUNB", "BARB", "KKBK", "YESB", "CNRB", "UBIN")
# (MCC, category, median ticket in INR, log-normal sigma)
MERCHANT_CATEGORIES: tuple[tuple[str, str, float, float], ...] = (
    ("5411", "grocery", 240.0, 0.9),
    ("5812", "restaurant", 350.0, 0.8),
    ("5814", "fast food", 160.0, 0.7),
    ("5541", "fuel", 600.0, 0.6),
    ("4121", "taxi", 220.0, 0.6),
    ("4814", "telecom recharge", 299.0, 0.5),
    ("5311", "department store", 900.0, 1.0),
    ("5912", "pharmacy", 320.0, 0.8),
    ("5999", "misc retail", 180.0, 1.1),
)
FAILURE_CODES = (
    ("U30", 0.35),
    ("U16", 0.15),
    ("Z9", 0.15),
    ("ZM", 0.12),
    ("U69", 0.08),
    ("BT", 0.10),
    ("XH", 0.05),
)
CHANNELS_P2M = ("QR", "INTENT")
CHANNELS_P2P = ("VPA", "MOBILE", "COLLECT")
MAX_AMOUNT = Decimal("100000.00")


class Kind(StrEnum):
    """Why a record was generated; tests reconcile the pipeline's counts against these."""

    NEW = "new"  # first state of a transaction
    TRANSITION = "transition"  # PENDING resolved to SUCCESS or FAILED
    DUPLICATE = "duplicate"  # byte-identical redelivery of an earlier record
    LATE = "late"  # a new transaction whose event time is hours in the past
    INVALID = "invalid"  # breaks the contract


@dataclass(frozen=True)
class TrafficMix:
    """Shares of the records that are duplicates, late or invalid, and of new transactions left PENDING."""

    duplicate_rate: float = 0.0
    late_rate: float = 0.0
    invalid_rate: float = 0.0
    pending_rate: float = 0.03

    def __post_init__(self) -> None:
        for name in ("duplicate_rate", "late_rate", "invalid_rate", "pending_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {value}")
        if self.duplicate_rate + self.late_rate + self.invalid_rate > 1.0:
            raise ValueError("duplicate_rate + late_rate + invalid_rate must not exceed 1")


@dataclass(frozen=True)
class Record:
    """One Kafka record: key (txn_id, or None for some invalid records), value bytes, and why it exists."""

    key: bytes | None
    value: bytes
    kind: Kind
    txn_id: str | None = None
    status: str | None = None


@dataclass
class _Pools:
    payers: list[tuple[str, str, str]] = field(default_factory=list)  # (vpa, psp, bank)
    merchants: list[tuple[str, str, str, str, float, float]] = field(default_factory=list)


def _vpa_safe(name: str) -> str:
    """Lower-case ASCII letters and digits of ``name``: Faker's "D’Alia" becomes "dalia"."""
    return "".join(ch for ch in name.lower() if ch.isascii() and ch.isalnum())


def _build_pools(seed: int, payers: int, merchants: int) -> _Pools:
    fake = Faker("en_IN")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    pools = _Pools()
    weights = [share for _, share, _, _ in PSPS]
    for i in range(payers):
        app, _, handles, _ = rng.choices(PSPS, weights)[0]
        first, last = _vpa_safe(fake.first_name()) or "user", _vpa_safe(fake.last_name())
        vpa = f"{first}.{last}{i}@{rng.choice(handles)}"
        pools.payers.append((vpa, app, rng.choice(BANKS)))
    for i in range(merchants):
        mcc, _, median, sigma = rng.choice(MERCHANT_CATEGORIES)
        slug = _vpa_safe(fake.company())[:20] or "merchant"
        vpa = f"{slug}{i}@{rng.choice(('ybl', 'okaxis', 'paytm', 'ibl'))}"
        pools.merchants.append((vpa, f"M{i:07d}", mcc, rng.choice(BANKS), median, sigma))
    return pools


def _event_time(moment: datetime) -> str:
    return moment.astimezone(IST).isoformat(timespec="milliseconds")


def _encode(event: dict[str, str]) -> bytes:
    return json.dumps(event, separators=(",", ":")).encode()


class EventFactory:
    """Deterministic stream of UPI records for a seed, a start time and a traffic mix."""

    def __init__(
        self,
        seed: int,
        start: datetime,
        mix: TrafficMix | None = None,
        *,
        events_per_second: float = 1_000.0,
        payers: int = 5_000,
        merchants: int = 1_000,
        profile: Profile = UNIFORM,
    ) -> None:
        self.rng = random.Random(seed)
        self.start = start
        self.mix = mix or TrafficMix()
        self.profile = profile
        self.step = 1.0 / max(events_per_second, 1e-6)  # seconds of event time per record at intensity 1
        self.pools = _build_pools(seed, payers, merchants)
        ranks = range(1, merchants + 1)
        self._merchant_weights = list(itertools.accumulate(r**-profile.zipf_exponent for r in ranks))
        self._codes, self._code_weights = zip(*FAILURE_CODES, strict=True)
        self._recent: deque[Record] = deque(maxlen=500)
        self._pending: list[tuple[int, int, dict[str, str]]] = []  # heap of (due record number, seq, event)
        self._number = 0  # records produced so far, across calls of records()
        self._clock = start
        self._hour_ends = start  # the intensity is constant within an IST hour: recomputed when it ends
        self._hour_step = timedelta(0)

    def _tick(self) -> datetime:
        """This record's event time; advances the clock by the step the profile's intensity gives now."""
        moment = self._clock
        if moment >= self._hour_ends:
            local = moment.astimezone(IST)
            self._hour_ends = local.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
            self._hour_step = timedelta(seconds=self.step / self.profile.intensity(local))
        self._clock = moment + self._hour_step
        return moment

    def _txn_id(self, psp: str) -> str:
        prefix = next(p for app, _, _, p in PSPS if app == psp)
        return f"{prefix}{self.rng.getrandbits(128):032x}"

    def _amount(self, median: float, sigma: float) -> Decimal:
        value = Decimal(f"{self.rng.lognormvariate(0.0, sigma) * median * self.profile.amount_scale:.2f}")
        return min(max(value, Decimal("1.00")), MAX_AMOUNT)

    def _status(self, payer_bank: str, moment: datetime) -> tuple[str, str]:
        draw = self.rng.random()
        if draw < self.mix.pending_rate:
            return "PENDING", "91"
        outage = self.profile.outage
        in_outage = outage is not None and payer_bank == outage.bank and outage.covers(self.start, moment)
        if outage is not None and in_outage and self.rng.random() < outage.failure_rate:
            codes, weights = zip(*outage.codes, strict=True)
            return "FAILED", self.rng.choices(codes, weights)[0]
        if draw < self.mix.pending_rate + self.profile.failure_rate:
            return "FAILED", self.rng.choices(self._codes, self._code_weights)[0]
        return "SUCCESS", "00"

    def _merchant(self) -> tuple[str, str, str, str, float, float]:
        if self.rng.random() < self.profile.hot_key_rate:
            return self.pools.merchants[0]
        return self.rng.choices(self.pools.merchants, cum_weights=self._merchant_weights)[0]

    def _new_event(self, moment: datetime) -> dict[str, str]:
        payer_vpa, psp, payer_bank = self.rng.choice(self.pools.payers)
        status, code = self._status(payer_bank, moment)
        event = {
            "txn_id": self._txn_id(psp),
            "payer_vpa": payer_vpa,
            "status": status,
            "event_time": _event_time(moment),
            "payer_psp": psp,
            "payer_bank": payer_bank,
            "response_code": code,
        }
        if self.rng.random() < self.profile.p2m_share:
            vpa, merchant_id, mcc, bank, median, sigma = self._merchant()
            event |= {
                "txn_type": "P2M",
                "payee_vpa": vpa,
                "merchant_id": merchant_id,
                "mcc": mcc,
                "payee_bank": bank,
                "channel": self.rng.choice(CHANNELS_P2M),
                "amount": str(self._amount(median, sigma)),
            }
        else:
            payee_vpa, _, payee_bank = self.rng.choice(self.pools.payers)
            event |= {
                "txn_type": "P2P",
                "payee_vpa": payee_vpa,
                "payee_bank": payee_bank,
                "channel": self.rng.choice(CHANNELS_P2P),
                "amount": str(self._amount(900.0, 1.2)),
            }
        return event

    def _invalid(self, moment: datetime) -> Record:
        event: dict[str, object] = dict(self._new_event(moment))
        breakage = self.rng.randrange(8)
        if breakage == 0:
            return Record(None, b"{not json", Kind.INVALID)
        if breakage == 1:
            return Record(None, b"\xff\xfe\x00upi", Kind.INVALID)
        if breakage == 2:
            del event["payee_vpa"]
        elif breakage == 3:
            event["amount"] = "-" + str(event["amount"])
        elif breakage == 4:
            event["amount"] = f"{event['amount']}5"  # three decimals
        elif breakage == 5:
            event["status"] = "REVERSED"
        elif breakage == 6:
            event["payer_vpa"] = "no-at-sign"
        else:
            # years ahead: in the future of any ingest time, even for traffic generated with a past --start
            event["event_time"] = _event_time(moment + timedelta(days=5 * 365))
        key = str(event["txn_id"]).encode()
        return Record(key, json.dumps(event, separators=(",", ":")).encode(), Kind.INVALID)

    def _record(self, event: dict[str, str], kind: Kind) -> Record:
        record = Record(event["txn_id"].encode(), _encode(event), kind, event["txn_id"], event["status"])
        self._recent.append(record)
        if event["status"] == "PENDING":  # resolved 5 to 200 records later
            heapq.heappush(self._pending, (self._number + self.rng.randint(5, 200), self._number, event))
        return record

    def records(self, count: int) -> Iterator[Record]:
        """The next ``count`` records (duplicates, transitions and invalid ones included in the count)."""
        for _ in range(count):
            moment = self._tick()
            self._number += 1
            if self._pending and self._pending[0][0] <= self._number:
                pending = heapq.heappop(self._pending)[2]
                resolved = "SUCCESS" if self.rng.random() < 0.8 else "FAILED"
                code = "00" if resolved == "SUCCESS" else self.rng.choices(self._codes, self._code_weights)[0]
                yield self._record(
                    pending | {"status": resolved, "response_code": code, "event_time": _event_time(moment)},
                    Kind.TRANSITION,
                )
                continue
            draw = self.rng.random()
            if draw < self.mix.duplicate_rate and self._recent:
                original = self.rng.choice(self._recent)
                yield Record(original.key, original.value, Kind.DUPLICATE, original.txn_id, original.status)
            elif draw < self.mix.duplicate_rate + self.mix.invalid_rate:
                yield self._invalid(moment)
            elif draw < self.mix.duplicate_rate + self.mix.invalid_rate + self.mix.late_rate:
                late = moment - timedelta(hours=self.rng.uniform(1.0, 6.0))
                yield self._record(self._new_event(late), Kind.LATE)
            else:
                yield self._record(self._new_event(moment), Kind.NEW)
