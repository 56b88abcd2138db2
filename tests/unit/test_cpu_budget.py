"""Benchmarks count the CPU of each pipeline process with what it started, and what the machine spent besides."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator

import psutil
import pytest

from benchmarks.cpu import REST, CpuSpent, Watched, cpu_snapshot, tree_cpu_seconds

BURN_ONE_SECOND = "import time\nend = time.process_time() + 1.0\nwhile time.process_time() < end: pass"


@pytest.fixture
def shell_after_a_busy_child() -> Iterator[subprocess.Popen[bytes]]:
    """A shell whose child burnt 1 s of CPU and ended (the shell reaped it); the shell then sleeps."""
    shell = subprocess.Popen(["sh", "-c", f'"{sys.executable}" -c "$0"; exec sleep 30', BURN_ONE_SECOND])
    try:
        deadline = time.monotonic() + 60
        while psutil.Process(shell.pid).name() != "sleep" and time.monotonic() < deadline:
            time.sleep(0.1)
        yield shell
    finally:
        shell.kill()
        shell.wait(timeout=10)


def test_a_process_tree_counts_the_cpu_of_a_child_that_has_ended(
    shell_after_a_busy_child: subprocess.Popen[bytes],
) -> None:
    assert tree_cpu_seconds(shell_after_a_busy_child.pid) >= 0.9


def test_a_process_counted_alone_leaves_out_what_it_started(
    shell_after_a_busy_child: subprocess.Popen[bytes],
) -> None:
    assert tree_cpu_seconds(shell_after_a_busy_child.pid, descendants=False) < 0.5


def test_the_cpu_of_a_busy_process_between_two_snapshots_is_part_of_the_machines_busy_time() -> None:
    with subprocess.Popen([sys.executable, "-c", BURN_ONE_SECOND]) as burner:
        watched = {"burner": Watched(burner.pid)}
        before = cpu_snapshot(watched)
        deadline = time.monotonic() + 60  # a loaded machine gives the burner its second slowly
        while (
            watched["burner"].cpu_seconds() - before.processes["burner"] < 0.5 and time.monotonic() < deadline
        ):
            time.sleep(0.05)
        spent = cpu_snapshot(watched) - before
        burner.wait(timeout=60)
    assert spent.processes["burner"] >= 0.5
    assert spent.machine_busy >= spent.processes["burner"] * 0.9
    assert spent.wall_seconds > 0


def test_a_watched_process_without_a_pid_spent_nothing() -> None:
    assert Watched(None).cpu_seconds() == 0.0


def test_the_rest_of_the_machine_is_its_busy_time_beyond_the_watched_processes() -> None:
    spent = CpuSpent(
        wall_seconds=10.0, processes={"a": 4.0, "b": 1.0}, machine_busy=8.0, machine_steal=1.0, cores=2
    )
    per_event = spent.per_event(20_000)
    assert per_event["by_process"][REST]["cpu_seconds"] == 3.0
    assert per_event["by_process"]["a"]["us_per_event"] == 200.0
    assert per_event["busy_us_per_event"] == 400.0
    assert (per_event["busy_cores"], per_event["steal_cores"], per_event["idle_cores"]) == (0.8, 0.1, 1.1)


def test_the_records_a_second_all_cores_carry_is_the_cores_over_the_cpu_per_record() -> None:
    spent = CpuSpent(wall_seconds=10.0, processes={}, machine_busy=8.0, machine_steal=0.0, cores=2)
    assert spent.per_event(20_000)["events_per_second_if_all_cores_busy"] == 5_000.0
