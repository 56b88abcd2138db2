"""Where a benchmark run's CPU went: each process of the pipeline, the rest of the machine, and what the
hypervisor took (steal); in cores, and in microseconds of CPU per event.

The cost per event says what a rate needs: 2 cores at 100 % carry at most 2 s / (CPU seconds per event)
events a second, whatever the code does with them. A component's CPU is that of its process and all its
descendants, those that have ended included (``psutil``'s ``children_*`` times: Postgres's backends, the
``chmod`` a JVM starts).

Example::

    >>> watched = {"Spark JVM": Watched(jvm.pid), "me": Watched(os.getpid(), descendants=False)}  # doctest: +SKIP
    >>> before = cpu_snapshot(watched)                                     # doctest: +SKIP
    >>> ...                                                                # doctest: +SKIP
    >>> spent = cpu_snapshot(watched) - before                             # doctest: +SKIP
    >>> spent.per_event(1_000_000)["busy_us_per_event"]                    # doctest: +SKIP
    212.4
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import psutil

REST = "rest of the machine"
"""What the machine's busy time holds beyond the named processes (the kernel's own work, other programs)."""


def _own_and_reaped(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system + times.children_user + times.children_system


def tree_cpu_seconds(pid: int, *, descendants: bool = True) -> float:
    """CPU seconds (user + system) of ``pid`` and, with ``descendants``, of every process under it, the
    ended ones included once their parent has reaped them; 0 when ``pid`` is gone."""
    try:
        root = psutil.Process(pid)
        if not descendants:
            times = root.cpu_times()
            return times.user + times.system
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    spent = 0.0
    for process in processes:
        try:
            spent += _own_and_reaped(process)
        except psutil.NoSuchProcess:  # ended since it was listed; its reaper counts it from now on
            continue
    return spent


@dataclass(frozen=True)
class Watched:
    """A process whose CPU to count (none when ``pid`` is ``None``), with its descendants or alone (a
    benchmark's own process is the parent of the stream it measures; a Python driver, of its JVM)."""

    pid: int | None
    descendants: bool = True

    def cpu_seconds(self) -> float:
        return 0.0 if self.pid is None else tree_cpu_seconds(self.pid, descendants=self.descendants)


@dataclass(frozen=True)
class CpuSnapshot:
    """CPU seconds so far: of each named process tree, and of the whole machine (busy, stolen, all)."""

    at: float = 0.0
    processes: Mapping[str, float] = field(default_factory=dict)
    machine_busy: float = 0.0
    machine_steal: float = 0.0
    cores: int = 1

    def __sub__(self, earlier: CpuSnapshot) -> CpuSpent:
        return CpuSpent(
            wall_seconds=self.at - earlier.at,
            processes={
                name: spent - earlier.processes.get(name, 0.0) for name, spent in self.processes.items()
            },
            machine_busy=self.machine_busy - earlier.machine_busy,
            machine_steal=self.machine_steal - earlier.machine_steal,
            cores=self.cores,
        )


@dataclass(frozen=True)
class CpuSpent:
    """CPU seconds spent between two snapshots, over ``wall_seconds``."""

    wall_seconds: float
    processes: Mapping[str, float]
    machine_busy: float
    machine_steal: float
    cores: int

    @property
    def rest(self) -> float:
        """Busy seconds of the machine outside the named processes (never below 0: sampling is not atomic)."""
        return max(0.0, self.machine_busy - sum(self.processes.values()))

    def per_event(self, events: int) -> dict[str, Any]:
        """The spend as JSON: cores and µs per event of each process and of the rest, the machine's busy,
        stolen and idle cores, and the events a second its cores could carry at this cost."""
        wall, each = max(self.wall_seconds, 1e-9), max(events, 1)
        parts = {**self.processes, REST: self.rest}
        busy_per_event = self.machine_busy / each
        return {
            "events": events,
            "wall_seconds": self.wall_seconds,
            "machine_cores": self.cores,
            "by_process": {
                name: {"cpu_seconds": spent, "cores": spent / wall, "us_per_event": spent / each * 1e6}
                for name, spent in parts.items()
            },
            "busy_cores": self.machine_busy / wall,
            "steal_cores": self.machine_steal / wall,
            "idle_cores": max(0.0, self.cores - (self.machine_busy + self.machine_steal) / wall),
            "busy_us_per_event": busy_per_event * 1e6,
            "events_per_second_if_all_cores_busy": self.cores / busy_per_event if busy_per_event else None,
        }


def cpu_snapshot(processes: Mapping[str, Watched]) -> CpuSnapshot:
    """CPU seconds so far of each named process, and of the machine."""
    machine = psutil.cpu_times()
    busy = machine.user + machine.nice + machine.system + machine.irq + machine.softirq
    return CpuSnapshot(
        at=time.monotonic(),
        processes={name: watched.cpu_seconds() for name, watched in processes.items()},
        machine_busy=busy,
        machine_steal=getattr(machine, "steal", 0.0),
        cores=psutil.cpu_count() or 1,
    )
