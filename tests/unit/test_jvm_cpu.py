"""Benchmarks read the CPU of the JVM a process started, and its JIT compiler's part, from ``/proc``."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.jvm import JvmCpu, jvm_cpu

BUSY_JAVA = """
public class Busy {
    public static void main(String[] args) {
        long sum = 0;
        for (long end = System.nanoTime() + 30_000_000_000L; System.nanoTime() < end; ) {
            for (int i = 0; i < 1_000; i++) sum += Long.toString(sum + i).hashCode();
        }
        System.out.println(sum);
    }
}
"""


@pytest.fixture
def shell_running_java(tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A shell whose child is a JVM running a hot loop (compiled by the JIT) for up to 30 s."""
    if shutil.which("java") is None:
        pytest.skip("no java on PATH")
    source = tmp_path / "Busy.java"
    source.write_text(BUSY_JAVA)
    shell = subprocess.Popen(["sh", "-c", f"java {source}; true"], stdout=subprocess.DEVNULL)
    try:
        yield shell
    finally:
        subprocess.run(["pkill", "-P", str(shell.pid)], check=False)
        shell.wait(timeout=30)


def test_the_cpu_of_a_jvm_started_by_a_process_counts_its_jit_compiler_threads_apart(
    shell_running_java: subprocess.Popen[bytes],
) -> None:
    before = jvm_cpu(shell_running_java.pid)
    time.sleep(3)
    spent = jvm_cpu(shell_running_java.pid) - before
    assert spent.total_seconds > 1.0  # a busy thread for 3 s
    assert 0 < spent.jit_seconds < spent.total_seconds


def test_a_process_without_a_jvm_has_spent_no_jvm_cpu() -> None:
    with subprocess.Popen(["sleep", "5"]) as sleeper:
        try:
            assert jvm_cpu(sleeper.pid) == JvmCpu()
        finally:
            sleeper.kill()


def test_the_jit_share_of_no_cpu_is_zero() -> None:
    assert JvmCpu().jit_share == 0.0
