"""The one settings object every component reads, from ``UPI_*`` environment variables.

The defaults describe the local stack that ``upi stack up`` starts on 127.0.0.1; they are for local use
only. Production passes its own values (and secrets) through the environment or a ``.env`` file.

Example::

    >>> from upi.settings import load_settings
    >>> settings = load_settings()              # reads UPI_* variables, raises ConfigError on a bad one
    >>> settings.kafka_topic
    'upi_transactions'
"""

from __future__ import annotations

import re
import sys
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote, urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from upi.paths import PROJECT_ROOT
from warehouse import READER_ROLE

__all__ = ["ConfigError", "Settings", "load_settings", "settings_or_exit"]

_HOST_PORT = re.compile(r"^[A-Za-z0-9.\-\[\]:]+:\d{1,5}$")
_DURATION = re.compile(r"^\d+ (second|seconds|minute|minutes|hour|hours)$")
_JVM_MEMORY = re.compile(r"^[1-9]\d*[kmgt]$", re.IGNORECASE)

# What to tell the user for each setting when its value is rejected.
_FIXES: dict[str, str] = {
    "kafka_bootstrap": "use host:port[,host:port…], e.g. 127.0.0.1:19092",
    "postgres_dsn": "use postgresql://user:password@host:port/database",
    "lake_uri": "use file:///absolute/path or s3a://bucket/prefix",
    "checkpoint_uri": "use file:///absolute/path or s3a://bucket/prefix",
    "s3_endpoint": "use http://host:port",
    "watermark_delay": "use '<n> seconds|minutes|hours', e.g. '10 minutes'",
    "spark_driver_memory": "use a JVM heap size such as 2g or 2048m",
    "gold_driver_memory": "use a JVM heap size such as 4g or 4096m",
}


class ConfigError(ValueError):
    """A setting has a value the pipeline cannot use; the message is one line naming it and the fix."""


def _port_of(address: str, default: int) -> int:
    port = urlsplit(address if "://" in address else f"//{address}").port
    return port if port is not None else default


class Settings(BaseSettings):
    """Every knob of the pipeline; environment variable = ``UPI_`` + field name in upper case."""

    model_config = SettingsConfigDict(env_prefix="UPI_", extra="ignore", frozen=True)

    # Where the local stack keeps its state (data directories, logs, pid files) and its downloads.
    home: Path = PROJECT_ROOT / ".upi"
    cache_dir: Path = PROJECT_ROOT / ".cache"

    kafka_bootstrap: str = "127.0.0.1:19092"
    kafka_topic: str = "upi_transactions"
    kafka_topic_partitions: Annotated[int, Field(ge=1, le=64)] = 2
    schema_registry_url: str | None = None  # Confluent-compatible; `upi setup` registers the contract there

    postgres_dsn: SecretStr = SecretStr("postgresql://upi:upi-local-only@127.0.0.1:15432/upi")

    lake_uri: str = f"file://{PROJECT_ROOT / '.upi' / 'lake'}"
    checkpoint_uri: str = f"file://{PROJECT_ROOT / '.upi' / 'checkpoints'}"
    s3_endpoint: str = "http://127.0.0.1:19000"
    s3_access_key: str = "upi-local"
    s3_secret_key: SecretStr = SecretStr("upi-local-secret-only")
    s3_bucket: str = "lake"

    # Streaming job.
    spark_master: str = "local[2]"
    spark_driver_memory: str = "2g"
    trigger_seconds: Annotated[int, Field(ge=1, le=3600)] = 5
    # The ingest query's interval, when bronze may trail Postgres: its micro-batches then stop competing
    # with the refine query's for the cores (see README, "Settings").
    bronze_trigger_seconds: Annotated[int | None, Field(ge=1, le=3600)] = None
    max_offsets_per_trigger: Annotated[int, Field(ge=1)] = 200_000
    starting_offsets: Literal["earliest", "latest"] = "earliest"
    watermark_delay: str = "10 minutes"
    app_name: str = "upi-stream"

    # Gold job.
    quality_dir: Path = PROJECT_ROOT / ".upi" / "quality"  # GX context, validation results and Data Docs
    gold_state_window_days: Annotated[int, Field(ge=0, le=90)] = (
        7  # how far apart a transaction's states may be
    )
    gold_history_days: Annotated[int, Field(ge=1, le=90)] = 7  # previous days that bound a day's row count
    gold_min_rows_ratio: Annotated[float, Field(ge=0, le=1)] = 0.2  # of the previous days' mean
    gold_max_rows_ratio: Annotated[float, Field(ge=1)] = 5.0
    # The gold driver caches the day's final states, ~1.5 GB for 10M transactions; what does not fit is kept
    # on disk and deserialized at each of the ~10 reads (with 2g, two thirds of such a day was on disk).
    gold_driver_memory: str = "4g"
    # Partitions of the day's states by txn_id. A task caches its partition while its sort still holds the
    # memory, so with a few large partitions the cache went to disk even with 4g.
    gold_day_partitions: Annotated[int, Field(ge=1, le=10_000)] = 16

    # Local Airflow (`upi airflow`).
    airflow_home: Path = PROJECT_ROOT / ".upi" / "airflow"
    airflow_port: Annotated[int, Field(ge=1, le=65535)] = 18080
    airflow_password: SecretStr = SecretStr("upi-local-only")  # of user `admin`

    # The dashboards' read-only Postgres role `upi_grafana` (migration 007).
    grafana_db_password: SecretStr = SecretStr("upi-grafana-local-only")

    # Validation rules of the event contract.
    max_amount_inr: Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=2)] = Decimal("500000.00")
    max_payload_bytes: Annotated[int, Field(ge=256)] = 16_384
    future_tolerance_seconds: Annotated[int, Field(ge=0)] = 300

    @field_validator("kafka_bootstrap")
    @classmethod
    def _check_bootstrap(cls, value: str) -> str:
        if not all(_HOST_PORT.match(part.strip()) for part in value.split(",")):
            raise ValueError(f"{value!r} is not a host:port list")
        return value

    @field_validator("bronze_trigger_seconds", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value  # compose passes an unset variable on as ""

    @field_validator("postgres_dsn")
    @classmethod
    def _check_dsn(cls, value: SecretStr) -> SecretStr:
        parts = urlsplit(value.get_secret_value())
        if parts.scheme not in {"postgresql", "postgres"} or not parts.hostname or not parts.path.strip("/"):
            raise ValueError("not a postgresql:// URL with host and database")
        return value

    @field_validator("lake_uri", "checkpoint_uri")
    @classmethod
    def _check_storage_uri(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme == "file" and parts.path.startswith("/"):
            return value.rstrip("/")
        if parts.scheme == "s3a" and parts.netloc:
            return value.rstrip("/")
        raise ValueError(f"{value!r} is neither file:///absolute/path nor s3a://bucket/prefix")

    @field_validator("s3_endpoint")
    @classmethod
    def _check_endpoint(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ValueError(f"{value!r} is not an http(s)://host:port URL")
        return value.rstrip("/")

    @field_validator("spark_driver_memory", "gold_driver_memory")
    @classmethod
    def _check_memory(cls, value: str) -> str:
        if not _JVM_MEMORY.match(value.strip()):
            raise ValueError(f"{value!r} is not a JVM heap size")
        return value.strip()

    @field_validator("watermark_delay")
    @classmethod
    def _check_delay(cls, value: str) -> str:
        if not _DURATION.match(value.strip()):
            raise ValueError(f"{value!r} is not a duration")
        return value.strip()

    # Derived values: one source of truth for the ports the local stack listens on.
    @property
    def kafka_port(self) -> int:
        return _port_of(self.kafka_bootstrap.split(",")[0], 9092)

    @property
    def postgres_port(self) -> int:
        return _port_of(self.postgres_dsn.get_secret_value(), 5432)

    @property
    def s3_port(self) -> int:
        return _port_of(self.s3_endpoint, 80)

    @property
    def dsn(self) -> str:
        """The Postgres connection URL, secret included: pass it to drivers, never print it."""
        return self.postgres_dsn.get_secret_value()

    @property
    def grafana_dsn(self) -> str:
        """The warehouse's URL as the dashboards' read-only role ``upi_grafana`` (secret included)."""
        parts = urlsplit(self.dsn)
        password = quote(self.grafana_db_password.get_secret_value(), safe="")
        host = f"{parts.hostname}:{parts.port}" if parts.port else str(parts.hostname)
        return parts._replace(netloc=f"{READER_ROLE}:{password}@{host}").geturl()

    @property
    def ingest_trigger_seconds(self) -> int:
        """The micro-batch interval of the ingest (bronze) query: ``bronze_trigger_seconds``, by default
        ``trigger_seconds``."""
        return self.bronze_trigger_seconds or self.trigger_seconds

    @property
    def uses_s3(self) -> bool:
        return self.lake_uri.startswith("s3a://") or self.checkpoint_uri.startswith("s3a://")

    def table_uri(self, table: str) -> str:
        """Location of a lake table, e.g. ``settings.table_uri("bronze_upi_events")``."""
        return f"{self.lake_uri}/{table}"


def _one_line(error: ValidationError) -> str:
    first: Any = error.errors()[0]
    field = str(first["loc"][0]) if first["loc"] else "?"
    fix = _FIXES.get(field, "see the settings table in README.md")
    message = str(first["msg"]).removeprefix("Value error, ")
    return f"UPI_{field.upper()}: {message}; {fix}"


def load_settings(**overrides: Any) -> Settings:
    """Read the settings from the environment, with ``overrides`` taking precedence.

    Raises :class:`ConfigError` with one line naming the bad setting and how to fix it.
    """
    try:
        return Settings(**overrides)
    except ValidationError as error:
        raise ConfigError(_one_line(error)) from error


def settings_or_exit() -> Settings:
    """:func:`load_settings` for a ``spark-submit`` entry point: a bad setting is one line on stderr, exit 2."""
    try:
        return load_settings()
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        raise SystemExit(2) from None
