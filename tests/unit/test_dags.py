"""The gold DAGs import cleanly and are scheduled, retried and templated as the gold layer needs."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jinja2
import pendulum
import pytest

from spark_jobs.session import JVM_OPTIONS
from upi.paths import PROJECT_ROOT
from upi.settings import Settings

DEFAULT_GOLD_HEAP = Settings.model_fields["gold_driver_memory"].default


@pytest.fixture(scope="module")
def dagbag(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    os.environ.setdefault("AIRFLOW_HOME", str(tmp_path_factory.mktemp("airflow")))
    os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
    from airflow.dag_processing.dagbag import DagBag

    yield DagBag(dag_folder=str(PROJECT_ROOT / "dags"))


def test_the_dags_folder_imports_without_errors(dagbag: Any) -> None:
    assert dagbag.import_errors == {}
    assert set(dagbag.dag_ids) == {"upi_gold_daily", "upi_gold_late_days"}


def test_the_daily_dag_runs_once_per_ist_day_with_catchup(dagbag: Any) -> None:
    dag = dagbag.dags["upi_gold_daily"]
    assert (dag.timetable.expression, str(dag.timetable.timezone)) == ("0 0 * * *", "Asia/Kolkata")
    assert dag.catchup is True
    assert dag.dagrun_timeout == pendulum.duration(hours=2)


def test_every_gold_task_retries_with_backoff_and_shares_one_pool_slot(dagbag: Any) -> None:
    tasks = [t for dag_id in dagbag.dag_ids for t in dagbag.dags[dag_id].tasks]
    assert {(t.retries, t.retry_exponential_backoff > 0, t.pool) for t in tasks} == {(3, True, "upi_gold")}


def test_the_day_built_is_the_ist_day_of_the_data_interval(dagbag: Any) -> None:
    from airflow.timetables.interval import CronDataIntervalTimetable  # what the scheduler runs

    dag = dagbag.dags["upi_gold_daily"]
    ist = pendulum.timezone("Asia/Kolkata")
    timetable = CronDataIntervalTimetable(dag.timetable.expression, dag.timetable.timezone)
    interval = timetable.infer_manual_data_interval(run_after=pendulum.datetime(2026, 11, 25, 0, 30, tz=ist))
    assert interval.start.in_timezone(ist).date() == date(2026, 11, 24)
    (task,) = dag.tasks
    rendered = task.render_template(task.application_args, {"data_interval_start": interval.start})
    assert rendered == ["--date", "2026-11-24"]


def test_the_gold_task_submits_the_gold_job(dagbag: Any) -> None:
    (task,) = dagbag.dags["upi_gold_daily"].tasks
    assert Path(task.application) == PROJECT_ROOT / "spark_jobs" / "gold.py"
    assert task._conn_id == "upi_spark"


def test_the_gold_driver_gets_the_jobs_jvm_options(dagbag: Any) -> None:
    (task,) = dagbag.dags["upi_gold_daily"].tasks
    assert task.conf["spark.driver.extraJavaOptions"] == JVM_OPTIONS


@pytest.mark.parametrize(
    ("variables", "memory"), [({}, DEFAULT_GOLD_HEAP), ({"upi_gold_driver_memory": "6g"}, "6g")]
)
def test_the_gold_drivers_heap_is_the_airflow_variable_else_the_settings_default(
    dagbag: Any, variables: dict[str, str], memory: str
) -> None:
    (task,) = dagbag.dags["upi_gold_daily"].tasks
    var = SimpleNamespace(value=SimpleNamespace(get=variables.get))
    assert jinja2.Template(task.conf["spark.driver.memory"]).render(var=var) == memory
