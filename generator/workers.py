"""Generate with several processes: each worker has its own seed (``seed + worker``), factory and producer, and
sends its share of the records at its share of the rate, so the topic gets ``count`` records at ``rate``.

Example::

    >>> plan = Plan(count=1_000_000, rate=0, seed=42, start=datetime.now(UTC), mix=TrafficMix(), profile=STEADY)
    >>> summary = send_with_workers(plan, "127.0.0.1:19092", "upi_transactions", workers=2)   # doctest: +SKIP
"""

from __future__ import annotations

import multiprocessing
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

from generator.events import EventFactory, TrafficMix
from generator.producer import SendSummary, send_to_kafka
from generator.profiles import Profile

UNPACED_EVENTS_PER_SECOND = 1_000.0
"""The event-time clock of a run sent as fast as possible (at intensity 1)."""


@dataclass(frozen=True)
class Plan:
    """What to generate: ``count`` records at ``rate`` per second (0: as fast as possible)."""

    count: int
    rate: float
    seed: int
    start: datetime
    mix: TrafficMix
    profile: Profile

    @classmethod
    def of(
        cls, count: int, rate: float, seed: int, start: datetime | None, mix: TrafficMix, profile: Profile
    ) -> Plan:
        """A run whose event times never lie in the future: paced, they follow the wall clock from ``start``
        (the profile's day shape cannot stretch them); as fast as possible without a ``start``, they are laid out
        on the profile's clock so that the last one is now."""
        now = datetime.now(UTC)
        if rate > 0:
            return cls(count, rate, seed, start or now, mix, profile.flat())
        if start is None:
            start = profile.start_for(now, count, UNPACED_EVENTS_PER_SECOND)
        return cls(count, rate, seed, start, mix, profile)

    def factory(self, worker: int = 0, workers: int = 1) -> EventFactory:
        """The event factory of one worker: its own seed, the shared start, its share of the event-time rate."""
        per_second = (self.rate or UNPACED_EVENTS_PER_SECOND) / workers
        return EventFactory(self.seed + worker, self.start, self.mix, events_per_second=per_second,
                            profile=self.profile)  # fmt: skip

    def share(self, worker: int, workers: int) -> int:
        """Records of ``worker``: the count split as evenly as possible."""
        return self.count // workers + (1 if worker < self.count % workers else 0)


def _work(plan: Plan, bootstrap: str, topic: str, worker: int, workers: int) -> SendSummary:
    records = plan.factory(worker, workers).records(plan.share(worker, workers))
    return send_to_kafka(records, bootstrap, topic, rate=plan.rate / workers)


def send_with_workers(plan: Plan, bootstrap: str, topic: str, workers: int) -> SendSummary:
    """Run ``workers`` processes of :func:`send_to_kafka`; the summary adds theirs up (seconds: the slowest)."""
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        futures = [pool.submit(_work, plan, bootstrap, topic, w, workers) for w in range(workers)]
        parts = [future.result() for future in futures]
    errors = [p.first_error for p in parts if p.first_error]
    return SendSummary(
        sent=sum(p.sent for p in parts), acked=sum(p.acked for p in parts), errors=sum(p.errors for p in parts),
        seconds=max(p.seconds for p in parts), kinds=sum((p.kinds for p in parts), Counter()),
        first_error=errors[0] if errors else None,
    )  # fmt: skip
