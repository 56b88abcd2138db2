"""The Docker compose deployment, checked offline (no Docker engine here): Debian's docker-compose validates
and resolves the file with the committed example secrets, then the resolved services are inspected."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from spark_jobs.session import JVM_OPTIONS
from upi.paths import PROJECT_ROOT
from upi.settings import Settings
from upi.stack.tools import docker_compose
from warehouse import READER_ROLE
from warehouse.dashboards import DATASOURCE

DOCKER = PROJECT_ROOT / "docker"
COMPOSE = DOCKER / "compose.yml"
ENV_EXAMPLE = DOCKER / ".env.example"
SECRETS = (
    "POSTGRES_PASSWORD", "UPI_GRAFANA_DB_PASSWORD", "AIRFLOW_DB_PASSWORD", "AIRFLOW_FERNET_KEY",
    "AIRFLOW_JWT_SECRET", "UPI_AIRFLOW_PASSWORD", "GRAFANA_ADMIN_PASSWORD", "KAFKA_UI_PASSWORD",
    "UPI_S3_SECRET_KEY",
)  # fmt: skip


def compose(*args: str, env_file: Path = ENV_EXAMPLE) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [docker_compose(), "-f", str(COMPOSE), "--env-file", str(env_file), *args],
        capture_output=True, text=True, check=False, cwd=DOCKER, env={"PATH": "/usr/bin:/bin"},
    )  # fmt: skip


@pytest.fixture(scope="module")
def resolved() -> dict[str, Any]:
    """The compose file as docker-compose resolves it: anchors merged, variables interpolated."""
    result = compose("config")
    assert result.returncode == 0, result.stderr
    config: dict[str, Any] = yaml.safe_load(result.stdout)
    return config


@pytest.fixture(scope="module")
def services(resolved: dict[str, Any]) -> dict[str, Any]:
    return dict(resolved["services"])


def mounts(service: dict[str, Any]) -> dict[str, str]:
    """Target -> source of a resolved service's volumes (docker-compose v1 prints ``source:target:mode``)."""
    return {target: source for source, target, *_ in (v.split(":") for v in service.get("volumes", []))}


def test_the_compose_file_validates_offline_with_the_example_env() -> None:
    result = compose("config", "-q")
    assert result.returncode == 0, result.stderr


def test_a_missing_secret_stops_compose_naming_it(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    given = [name for name in (*SECRETS, "UPI_S3_ACCESS_KEY") if name != "GRAFANA_ADMIN_PASSWORD"]
    env_file.write_text("".join(f"{name}=x\n" for name in given))
    result = compose("config", "-q", env_file=env_file)
    assert result.returncode != 0
    assert "set GRAFANA_ADMIN_PASSWORD in docker/.env" in result.stderr


def test_the_example_env_holds_placeholders_not_secrets() -> None:
    values = dict(
        line.split("=", 1)
        for line in ENV_EXAMPLE.read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert set(SECRETS) <= set(values)
    assert all(values[name].startswith("CHANGE-ME") for name in SECRETS)


def test_the_real_env_file_is_ignored_by_git() -> None:
    result = subprocess.run(
        ["git", "check-ignore", "-q", "docker/.env"], cwd=PROJECT_ROOT, check=False, capture_output=True
    )
    assert result.returncode == 0


def test_the_whole_product_is_in_the_file(services: dict[str, Any]) -> None:
    assert {
        "kafka", "schema-registry", "kafka-ui", "minio", "postgres", "setup", "stream",
        "airflow-init", "airflow-api-server", "airflow-scheduler", "airflow-dag-processor", "grafana", "generator",
    } == set(services)  # fmt: skip


def test_kafka_runs_in_kraft_mode_without_zookeeper(services: dict[str, Any]) -> None:
    kafka = services["kafka"]
    assert kafka["image"].startswith("apache/kafka:")
    assert kafka["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert not any("zookeeper" in name for name in services)


def test_the_stream_is_submitted_with_spark_submit(services: dict[str, Any]) -> None:
    command = services["stream"]["command"]
    assert command[0] == "spark-submit"
    assert command[-1] == "/opt/upi/spark_jobs/stream.py"


def test_the_stream_driver_gets_the_jobs_jvm_options(services: dict[str, Any]) -> None:
    command = services["stream"]["command"]
    assert command[command.index("--driver-java-options") + 1] == JVM_OPTIONS


def test_the_gold_driver_gets_the_gold_heap_setting_through_airflow(services: dict[str, Any]) -> None:
    environment = services["airflow-scheduler"]["environment"]
    assert (
        environment["AIRFLOW_VAR_UPI_GOLD_DRIVER_MEMORY"] == environment["UPI_GOLD_DRIVER_MEMORY"]
        == Settings.model_fields["gold_driver_memory"].default
    )  # fmt: skip


def test_every_awaited_service_reports_health(services: dict[str, Any]) -> None:
    for name, service in services.items():
        for dependency, rule in service.get("depends_on", {}).items():
            if rule["condition"] == "service_healthy":
                assert "healthcheck" in services[dependency], f"{name} waits for {dependency}'s health"
            else:
                assert rule["condition"] == "service_completed_successfully"
                assert services[dependency]["restart"] == "no", f"{dependency} is one-shot"


def test_the_stream_waits_for_the_migrated_warehouse_and_the_lake(services: dict[str, Any]) -> None:
    assert services["stream"]["depends_on"] == {
        "setup": {"condition": "service_completed_successfully"},
        "minio": {"condition": "service_healthy"},
    }
    assert services["setup"]["command"] == ["upi", "setup"]


@pytest.mark.parametrize(
    ("service", "path"),
    [("postgres", "/var/lib/postgresql/data"), ("kafka", "/var/lib/kafka/data"), ("minio", "/data"),
     ("grafana", "/var/lib/grafana"), ("airflow-scheduler", "/opt/airflow")],
)  # fmt: skip
def test_state_survives_restarts_in_a_named_volume(
    resolved: dict[str, Any], services: dict[str, Any], service: str, path: str
) -> None:
    assert mounts(services[service])[path] in resolved["volumes"]


def test_every_upi_variable_is_a_setting(services: dict[str, Any]) -> None:
    known = {f"UPI_{name.upper()}" for name in Settings.model_fields}
    used = {key for s in services.values() for key in s.get("environment", {}) if key.startswith("UPI_")}
    assert used and used <= known, used - known


def test_grafana_reads_the_warehouse_as_the_read_only_role() -> None:
    provisioning = yaml.safe_load((DOCKER / "grafana/provisioning/datasources/upi-postgres.yml").read_text())
    (datasource,) = provisioning["datasources"]
    assert (datasource["uid"], datasource["type"]) == (DATASOURCE["uid"], DATASOURCE["type"])
    assert datasource["user"] == READER_ROLE
    assert datasource["secureJsonData"]["password"] == "$UPI_GRAFANA_DB_PASSWORD"


def test_grafana_provisions_the_dashboard_files(services: dict[str, Any]) -> None:
    provider = yaml.safe_load((DOCKER / "grafana/provisioning/dashboards/upi.yml").read_text())["providers"][
        0
    ]
    assert Path(mounts(services["grafana"])[provider["options"]["path"]]) == DOCKER / "grafana" / "dashboards"
