"""``upi airflow`` starts a real Airflow on the local stack: its UI answers and the login it prints works."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from upi.stack.process import stop_group

pytestmark = pytest.mark.integration


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(url: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return bool(response.status == 200)
        except OSError:
            time.sleep(2)
    return False


def test_upi_airflow_serves_the_ui_and_accepts_the_printed_login(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "UPI_AIRFLOW_HOME": str(tmp_path / "airflow"), "UPI_AIRFLOW_PORT": str(port)}
    process = subprocess.Popen(
        [sys.executable, "-m", "upi.cli", "airflow"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL, start_new_session=True, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        first_lines = "".join(process.stdout.readline() for _ in range(6))
        assert f"Airflow UI: http://127.0.0.1:{port}  login: admin / upi-local-only" in first_lines
        assert wait_for(f"http://127.0.0.1:{port}/api/v2/monitor/health", 240), "the UI never answered"
        login = urllib.request.Request(
            f"http://127.0.0.1:{port}/auth/token", method="POST",
            data=json.dumps({"username": "admin", "password": "upi-local-only"}).encode(),
            headers={"Content-Type": "application/json"},
        )  # fmt: skip
        with urllib.request.urlopen(login, timeout=30) as response:
            assert "access_token" in json.loads(response.read())
    finally:
        stop_group(process)
