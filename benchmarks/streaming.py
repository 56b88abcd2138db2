"""``upi stream`` as a background process of a benchmark: started in a world, stopped like Ctrl-C.

Example::

    >>> with running_stream(world, folder) as process:   # doctest: +SKIP
    ...     produce(...)
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.integration.world import World
from upi.stack.process import stop_group


@contextmanager
def running_stream(world: World, folder: Path) -> Iterator[subprocess.Popen[bytes]]:
    """The world's stream running until the block ends (its output in ``folder/stream.log``)."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "stream.log").open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "upi.cli", "stream"], env={**os.environ, **world.env},
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
    try:
        yield process
    finally:
        stop_group(process, sig=signal.SIGINT)  # Ctrl-C: the stream stops its queries


def check_running(process: subprocess.Popen[bytes], folder: Path) -> None:
    """Fail the benchmark when the stream died."""
    if process.poll() is not None:
        raise AssertionError(f"the stream exited ({process.returncode}); see {folder / 'stream.log'}")


def wait_for_stream(
    process: subprocess.Popen[bytes],
    folder: Path,
    missing: Callable[[], str | None],
    *,
    timeout: float,
    poll: float = 0.5,
) -> float:
    """Seconds until ``missing()`` says nothing is missing (``None``), the stream staying up meanwhile; fails
    after ``timeout`` with what was still missing."""
    started = time.monotonic()
    while (still := missing()) is not None:
        check_running(process, folder)
        if time.monotonic() - started > timeout:
            raise AssertionError(f"{still} after {timeout:g} s")
        time.sleep(poll)
    return time.monotonic() - started
