"""The freshness benchmark judges whether the stream keeps up from the second half of a run only, and says
so only when the growth of its freshness is clear of the noise."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from benchmarks.freshness import freshness_growth

TOLERANCE = 0.02


def slots(p50s: Sequence[float], every: float = 5.0) -> list[dict[str, float]]:
    return [{"second": (i + 0.5) * every, "p50_seconds": p50} for i, p50 in enumerate(p50s)]


def test_freshness_high_at_the_start_then_flat_keeps_up() -> None:
    warming_then_flat = [9.0, 7.0, 5.0, 3.0, 1.0, 1.0, 1.0, 1.0]
    growth = freshness_growth(slots(warming_then_flat), seconds=40)
    assert (growth.per_second, growth.error, growth.verdict(TOLERANCE)) == (0.0, 0.0, "keeps up")


def test_freshness_that_keeps_growing_falls_behind_by_the_delay_gained_per_second() -> None:
    falling_behind = [1.0 + 0.25 * (i + 0.5) * 5 for i in range(8)]
    growth = freshness_growth(slots(falling_behind), seconds=40)
    assert growth.per_second == pytest.approx(0.25)
    assert growth.verdict(TOLERANCE) == "falls behind"


def test_rows_sent_after_the_run_do_not_count() -> None:
    flat_then_drain = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 30.0]
    assert freshness_growth(slots(flat_then_drain), seconds=40).per_second == 0.0


def test_a_saw_of_long_batches_is_unclear_rather_than_a_verdict() -> None:
    saw = [2.0, 12.0, 2.0, 12.0, 2.0, 12.0, 2.0, 14.0]
    growth = freshness_growth(slots(saw), seconds=40)
    assert growth.per_second > TOLERANCE
    assert growth.verdict(TOLERANCE) == "unclear"


def test_fewer_than_three_slots_in_the_second_half_cannot_tell() -> None:
    growth = freshness_growth(slots([1.0, 5.0, 9.0]), seconds=15)
    assert growth.per_second == pytest.approx(0.8)
    assert growth.error == float("inf")
    assert growth.verdict(TOLERANCE) == "unclear"
