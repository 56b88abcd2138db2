"""Airflow on the local stack: its home, its environment and its start, for ``upi airflow`` and the tests.

The DAGs in ``dags/`` find everything through the environment: the ``upi_spark`` connection
(``AIRFLOW_CONN_UPI_SPARK``), the connector jars (``AIRFLOW_VAR_UPI_SPARK_CLASSPATH``), and the job's own
``UPI_*`` settings, which spark-submit passes on to the gold job.

Example::

    >>> env = airflow_env(settings, home)        # doctest: +SKIP
    >>> prepare_home(env)                        # doctest: +SKIP  (db migrate + the gold pool)
    >>> subprocess.run(["airflow", "dags", "test", "upi_gold_daily", "2026-11-25"], env=env)   # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from upi.paths import PROJECT_ROOT
from upi.settings import ConfigError, Settings
from upi.stack.manager import stack_env
from upi.stack.spark_jars import installed_spark_jars

GOLD_POOL = "upi_gold"  # the DAGs' pool: one slot, so gold runs never overlap


def _bin(program: str) -> str:
    return str(Path(sys.executable).parent / program)


def airflow_env(settings: Settings, home: Path, *, parallelism: int = 2) -> dict[str, str]:
    """The environment of an Airflow that runs the gold DAGs against ``settings``' stack."""
    jars = installed_spark_jars(settings.cache_dir)
    if jars is None:
        raise ConfigError(
            f"UPI_CACHE_DIR: no Spark jars under {settings.cache_dir}; run `upi stack up` first"
        )
    return {
        **os.environ,
        **stack_env(settings),
        "UPI_QUALITY_DIR": str(settings.quality_dir),
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__PARALLELISM": str(parallelism),
        "AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG": str(parallelism),
        "AIRFLOW__CORE__DEFAULT_TIMEZONE": "Asia/Kolkata",
        "AIRFLOW__SCHEDULER__CATCHUP_BY_DEFAULT": "False",
        "AIRFLOW_CONN_UPI_SPARK": json.dumps({"conn_type": "spark", "host": settings.spark_master}),
        "AIRFLOW_VAR_UPI_SPARK_CLASSPATH": ":".join(str(j) for j in jars),
        "AIRFLOW_VAR_UPI_GOLD_DRIVER_MEMORY": settings.gold_driver_memory,
        "PYSPARK_PYTHON": sys.executable,
        "PYSPARK_DRIVER_PYTHON": sys.executable,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }


def standalone_env(settings: Settings) -> dict[str, str]:
    """:func:`airflow_env` for ``airflow standalone`` in ``UPI_AIRFLOW_HOME``: its UI on 127.0.0.1 at
    ``UPI_AIRFLOW_PORT``, one user ``admin`` whose password is ``UPI_AIRFLOW_PASSWORD``."""
    home = settings.airflow_home
    passwords = home / "admin-password.json"
    home.mkdir(parents=True, exist_ok=True)
    passwords.write_text(json.dumps({"admin": settings.airflow_password.get_secret_value()}))
    passwords.chmod(0o600)
    return {
        **airflow_env(settings, home),
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(settings.airflow_port),
        "AIRFLOW__API__BASE_URL": ui_address(settings),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
    }


def ui_address(settings: Settings) -> str:
    return f"http://127.0.0.1:{settings.airflow_port}"


def prepare_home(env: dict[str, str]) -> None:
    """Create or upgrade Airflow's metadata database and the gold pool; idempotent."""
    Path(env["AIRFLOW_HOME"]).mkdir(parents=True, exist_ok=True)
    for command in (["db", "migrate"], ["pools", "set", GOLD_POOL, "1", "gold runs never overlap"]):
        result = subprocess.run(
            [_bin("airflow"), *command], env=env, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            tail = (result.stderr or result.stdout).strip().splitlines()[-1:]
            raise ConfigError(f"AIRFLOW_HOME: `airflow {' '.join(command)}` failed: {' '.join(tail)}")


def run_airflow(env: dict[str, str], *args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    """``airflow <args>`` in ``env``, output captured."""
    return subprocess.run(
        [_bin("airflow"), *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
