"""The soak's verdict looks only at the steady part of the run, after the dedup state has filled."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from benchmarks.soak import steady_growth


def samples(values: Sequence[float], every: float = 60.0) -> list[dict[str, float]]:
    return [{"seconds": i * every, "state_rows": v} for i, v in enumerate(values)]


def test_state_that_fills_then_stays_flat_has_no_steady_growth() -> None:
    filling_then_flat = [0, 100, 200, 300, 300, 300, 300, 300]
    assert steady_growth(samples(filling_then_flat), "state_rows", fill_seconds=180) == 0.0


def test_state_still_growing_after_the_fill_shows_its_growth() -> None:
    growing = [0, 100, 200, 300, 400, 500, 600, 700]
    assert steady_growth(samples(growing), "state_rows", fill_seconds=180) == pytest.approx(600 / 350 - 1)


def test_a_run_shorter_than_the_fill_has_no_verdict() -> None:
    assert steady_growth(samples([0, 100, 200]), "state_rows", fill_seconds=180) is None
