"""``upi stack up | down | status | env``: the local stack as one unit.

Example::

    >>> from upi.settings import load_settings
    >>> report = up(load_settings())            # doctest: +SKIP
    >>> [(s.name, s.state) for s in report]
    [('postgres', 'started'), ('kafka', 'started'), ('s3', 'started')]
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from upi.settings import Settings
from upi.stack.services import all_services
from upi.stack.spark_jars import install_spark_jars, installed_spark_jars


@dataclass(frozen=True)
class ServiceState:
    """One line of ``upi stack status``."""

    name: str
    state: str
    pid: int | None
    address: str
    log: str
    seconds: float = 0.0


def install(settings: Settings) -> list[str]:
    """Download the Spark jars (once): the services install their own parts when they start."""
    return [str(jar) for jar in install_spark_jars(settings.cache_dir)]


def up(settings: Settings) -> list[ServiceState]:
    """Install what is missing and start every service that is not running; idempotent."""
    install(settings)
    states = []
    for service in all_services(settings):
        started_at = time.monotonic()
        started = service.start()
        states.append(
            ServiceState(
                service.name,
                "started" if started else "already running",
                service.process.pid(),
                service.address,
                str(service.process.log_file),
                time.monotonic() - started_at,
            )
        )
    return states


def down(settings: Settings) -> list[ServiceState]:
    """Stop the services ``up`` started (by pid), in reverse order."""
    states = []
    for service in reversed(all_services(settings)):
        stopped = service.stop()
        states.append(
            ServiceState(
                service.name,
                "stopped" if stopped else "not running",
                None,
                service.address,
                str(service.process.log_file),
            )
        )
    return states


def status(settings: Settings) -> list[ServiceState]:
    """Each service: running and healthy, running but not answering, or stopped."""
    states = []
    for service in all_services(settings):
        pid = service.process.pid()
        state = "stopped" if pid is None else ("healthy" if service.healthy() else "unhealthy")
        states.append(ServiceState(service.name, state, pid, service.address, str(service.process.log_file)))
    return states


def stack_env(settings: Settings) -> dict[str, str]:
    """The settings the stack runs with, as environment variables, and the Spark jars for spark-submit."""
    jars = installed_spark_jars(settings.cache_dir) or []
    return {
        "UPI_HOME": str(settings.home),
        "UPI_CACHE_DIR": str(settings.cache_dir),
        "UPI_KAFKA_BOOTSTRAP": settings.kafka_bootstrap,
        "UPI_KAFKA_TOPIC": settings.kafka_topic,
        "UPI_POSTGRES_DSN": settings.dsn,
        "UPI_LAKE_URI": settings.lake_uri,
        "UPI_CHECKPOINT_URI": settings.checkpoint_uri,
        "UPI_S3_ENDPOINT": settings.s3_endpoint,
        "UPI_S3_ACCESS_KEY": settings.s3_access_key,
        "UPI_S3_SECRET_KEY": settings.s3_secret_key.get_secret_value(),
        "UPI_S3_BUCKET": settings.s3_bucket,
        "UPI_SPARK_JARS": ",".join(str(j) for j in jars),
        "SPARK_LOCAL_IP": "127.0.0.1",
    }


def env_lines(settings: Settings) -> list[str]:
    """``export KEY=VALUE`` lines of :func:`stack_env` to ``eval`` in a shell."""
    return [f"export {key}={_shell_quote(value)}" for key, value in stack_env(settings).items()]


def _shell_quote(value: str) -> str:
    import shlex

    return shlex.quote(value)
