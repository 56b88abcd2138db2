"""Settings: environment in, one-line errors naming the setting out."""

from __future__ import annotations

import pytest

from upi.settings import ConfigError, load_settings


def test_defaults_point_at_the_local_stack() -> None:
    settings = load_settings()
    assert (settings.kafka_topic, settings.kafka_port, settings.postgres_port, settings.s3_port) == (
        "upi_transactions", 19092, 15432, 19000,
    )  # fmt: skip


def test_environment_variables_override_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UPI_KAFKA_TOPIC", "payments_v2")
    monkeypatch.setenv("UPI_KAFKA_BOOTSTRAP", "127.0.0.1:29092")
    settings = load_settings()
    assert (settings.kafka_topic, settings.kafka_port) == ("payments_v2", 29092)


def test_bronze_is_written_at_the_trigger_interval_unless_told_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("UPI_TRIGGER_SECONDS", "2")
    assert load_settings().ingest_trigger_seconds == 2


def test_an_empty_bronze_trigger_from_compose_means_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UPI_TRIGGER_SECONDS", "2")
    monkeypatch.setenv("UPI_BRONZE_TRIGGER_SECONDS", "")
    assert load_settings().ingest_trigger_seconds == 2


def test_bronze_can_trail_on_its_own_interval(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UPI_TRIGGER_SECONDS", "2")
    monkeypatch.setenv("UPI_BRONZE_TRIGGER_SECONDS", "30")
    assert (load_settings().trigger_seconds, load_settings().ingest_trigger_seconds) == (2, 30)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("UPI_KAFKA_BOOTSTRAP", "not a broker"),
        ("UPI_POSTGRES_DSN", "mysql://x@y/z"),
        ("UPI_LAKE_URI", "relative/path"),
        ("UPI_CHECKPOINT_URI", "hdfs://nn/checkpoints"),
        ("UPI_S3_ENDPOINT", "127.0.0.1:9000"),
        ("UPI_TRIGGER_SECONDS", "0"),
        ("UPI_BRONZE_TRIGGER_SECONDS", "0"),
        ("UPI_WATERMARK_DELAY", "ten minutes"),
        ("UPI_MAX_AMOUNT_INR", "100.005"),
        ("UPI_SPARK_DRIVER_MEMORY", "2 GB"),
        ("UPI_GOLD_DRIVER_MEMORY", "0g"),
    ],
)
def test_a_bad_value_gets_one_line_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as raised:
        load_settings()
    message = str(raised.value)
    assert message.startswith(f"{variable}:") and "\n" not in message


def test_the_postgres_password_is_not_shown_in_the_settings_repr() -> None:
    assert "upi-local-only" not in repr(load_settings())


def test_s3a_lake_turns_on_s3_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UPI_LAKE_URI", "s3a://lake/upi")
    settings = load_settings()
    assert settings.uses_s3 and settings.table_uri("silver") == "s3a://lake/upi/silver"
