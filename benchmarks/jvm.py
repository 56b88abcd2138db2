"""CPU time of the JVM a process started (``upi stream``'s Spark driver), and the JIT compiler's part of it.

A freshly started JVM compiles Spark's own code for minutes; on a 2-core machine those compiler threads take
CPU from the micro-batches. Reading it beside a benchmark's figures tells a slow start from a slow pipeline.

Example::

    >>> before = jvm_cpu(stream.pid)            # doctest: +SKIP
    >>> ...                                     # doctest: +SKIP
    >>> spent = jvm_cpu(stream.pid) - before    # doctest: +SKIP
    >>> spent.jit_share                         # doctest: +SKIP
    0.31
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import psutil

JIT_THREAD_PREFIXES = ("C1 CompilerThre", "C2 CompilerThre")
"""HotSpot's compiler threads, as ``/proc`` names them (thread names are cut to 15 characters)."""


@dataclass(frozen=True)
class JvmCpu:
    """CPU seconds (user + system) of a JVM: all its threads, and its JIT compiler threads alone.

    A compiler thread the JVM retires (it adds and removes them with the load on larger machines; a 2-core one
    keeps its two) takes its time out of ``jit_seconds`` but not out of ``total_seconds``: the share is a
    lower bound.
    """

    total_seconds: float = 0.0
    jit_seconds: float = 0.0

    def __add__(self, other: JvmCpu) -> JvmCpu:
        return JvmCpu(self.total_seconds + other.total_seconds, self.jit_seconds + other.jit_seconds)

    def __sub__(self, earlier: JvmCpu) -> JvmCpu:
        return JvmCpu(self.total_seconds - earlier.total_seconds, self.jit_seconds - earlier.jit_seconds)

    @property
    def jit_share(self) -> float:
        return self.jit_seconds / self.total_seconds if self.total_seconds > 0 else 0.0


def _thread_name(pid: int, tid: int) -> str:
    try:
        return Path(f"/proc/{pid}/task/{tid}/comm").read_text().strip()
    except OSError:  # the thread ended since it was listed
        return ""


def _one_jvm(process: psutil.Process) -> JvmCpu:
    times = process.cpu_times()  # the process's own threads, those that ended included
    jit = sum(
        thread.user_time + thread.system_time
        for thread in process.threads()
        if _thread_name(process.pid, thread.id).startswith(JIT_THREAD_PREFIXES)
    )
    return JvmCpu(times.user + times.system, jit)


def started_jvms(pid: int) -> list[psutil.Process]:
    """The ``java`` processes that ``pid`` started (directly or not); none once ``pid`` is gone."""
    try:
        children = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    jvms = []
    for child in children:
        try:  # short-lived children (Spark's Python workers) may be gone by the time they are read
            if child.name() == "java":
                jvms.append(child)
        except psutil.NoSuchProcess:
            continue
    return jvms


def jvm_cpu(pid: int) -> JvmCpu:
    """CPU time so far of the ``java`` processes that ``pid`` started (directly or not); zero if none."""
    spent = JvmCpu()
    for jvm in started_jvms(pid):
        try:
            spent += _one_jvm(jvm)
        except psutil.NoSuchProcess:
            continue
    return spent
