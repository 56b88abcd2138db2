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
from collections.abc import Iterator
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
