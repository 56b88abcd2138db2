"""A server process the stack started: its pid file, log file, start, stop and health wait.

Only processes recorded in a pid file (and still running the command we started) are ever signalled,
so ``upi stack down`` never stops a server it did not start.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class ServiceError(RuntimeError):
    """A service failed to start or become healthy; the message names it and its log file."""


@dataclass(frozen=True)
class ManagedProcess:
    """One long-running server, identified by ``name``, with state under ``run_dir``."""

    name: str
    run_dir: Path
    marker: str
    """A string of the command line that identifies the process (guards against pid reuse)."""

    @property
    def pid_file(self) -> Path:
        return self.run_dir / f"{self.name}.pid"

    @property
    def log_file(self) -> Path:
        return self.run_dir / "logs" / f"{self.name}.log"

    def pid(self) -> int | None:
        """The pid of the running server, or ``None`` (a stale pid file is removed)."""
        try:
            pid = int(self.pid_file.read_text().strip())
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (FileNotFoundError, ValueError, ProcessLookupError):
            self.pid_file.unlink(missing_ok=True)
            return None
        if _is_zombie(pid) or (cmdline.strip() and self.marker not in cmdline):
            self.pid_file.unlink(missing_ok=True)
            return None
        return pid

    def start(
        self, command: Sequence[str], *, env: dict[str, str] | None = None, user: str | None = None
    ) -> int:
        """Start ``command`` detached (own session), logging to :attr:`log_file`; return its pid."""
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        with self.log_file.open("ab") as log:
            process = subprocess.Popen(
                list(command),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env={**os.environ, **(env or {})},
                start_new_session=True,
                user=user,
            )
        self.pid_file.parent.mkdir(parents=True, exist_ok=True)
        self.pid_file.write_text(f"{process.pid}\n")
        return process.pid

    def stop(self, *, sig: signal.Signals = signal.SIGTERM, timeout: float = 30.0) -> bool:
        """Stop the server and its process group; return whether one was running."""
        pid = self.pid()
        if pid is None:
            return False
        _signal_group(pid, sig)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and _alive(pid):
            time.sleep(0.1)
        if _alive(pid):
            _signal_group(pid, signal.SIGKILL)
            while _alive(pid):
                time.sleep(0.05)
        self.pid_file.unlink(missing_ok=True)
        return True

    def wait_healthy(self, pid: int, check: Callable[[], bool], timeout: float) -> None:
        """Poll ``check`` until it returns true; fail early if process ``pid`` dies, or at ``timeout``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not _alive(pid):
                raise ServiceError(f"{self.name} exited during start-up; see {self.log_file}")
            if check():
                return
            time.sleep(0.25)
        raise ServiceError(f"{self.name} did not become healthy within {timeout:.0f}s; see {self.log_file}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    if _is_zombie(pid):
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        return False
    return True


def _is_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


def _signal_group(pid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        pass
    except PermissionError:
        os.kill(pid, sig)


def stop_group(
    process: subprocess.Popen[Any], *, sig: signal.Signals = signal.SIGTERM, timeout: float = 60
) -> None:
    """Send ``sig`` to the process group of ``process`` (started with ``start_new_session=True``); SIGKILL the
    group if it has not exited within ``timeout`` seconds."""
    _signal_group(process.pid, sig)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        _signal_group(process.pid, signal.SIGKILL)
        process.wait()
