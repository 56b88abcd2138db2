"""Fixtures of the integration suite: the real local stack, started once per test session."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.integration.world import sweep_earlier_worlds
from upi.settings import Settings, load_settings
from upi.stack import manager

pytestmark = pytest.mark.integration


@pytest.fixture(scope="session")
def stack() -> Iterator[Settings]:
    """The local stack, started by the project's own code; stopped at the end only if this session started it."""
    settings = load_settings()
    states = manager.up(settings)
    sweep_earlier_worlds(settings)
    yield settings
    if any(s.state == "started" for s in states) and not os.environ.get("UPI_KEEP_STACK"):
        manager.down(settings)
