"""Airflow DAGs of the gold layer: they only schedule ``spark_jobs/gold.py`` through ``spark-submit``.

* ``upi_gold_daily`` — one run per IST business day. Its data interval is that day, midnight to midnight in
  Asia/Kolkata, and decides the ``--date`` passed to the job (never the wall clock), so catchup and
  ``airflow dags backfill`` rebuild exactly the days asked for.
* ``upi_gold_late_days`` — hourly: rebuilds the days the stream recorded as touched by late events since
  their gold was last published (``late_event_days``).

Both submit with the ``upi_spark`` connection (``AIRFLOW_CONN_UPI_SPARK``, e.g. ``{"conn_type": "spark",
"host": "local[2]"}``); the job's own settings come from the worker's ``UPI_*`` environment, and the connector
jars from the Airflow variable ``upi_spark_classpath`` (``AIRFLOW_VAR_UPI_SPARK_CLASSPATH``), the driver's heap
from ``upi_gold_driver_memory``. ``upi airflow`` wires all of this for the local stack.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pendulum
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator
from airflow.sdk import CronDataIntervalTimetable, dag

IST = pendulum.timezone("Asia/Kolkata")
GOLD_JOB = str(Path(__file__).resolve().parent.parent / "spark_jobs" / "gold.py")
SPARK_CONNECTION = "upi_spark"
JVM_OPTIONS = "-XX:-DontCompileHugeMethods"
"""The driver's JVM options: ``spark_jobs.session.JVM_OPTIONS``, which a submitted driver must be given."""
DRIVER_MEMORY = "{{ var.value.get('upi_gold_driver_memory', '4g') }}"
"""The driver's heap: the Airflow variable ``upi_gold_driver_memory``, else ``UPI_GOLD_DRIVER_MEMORY``'s
default (the job caches the day's final states)."""
GOLD_POOL = "upi_gold"
"""One slot (``upi airflow`` creates it): gold runs never overlap, as Delta on S3 takes one writing driver."""
BUSINESS_DAY = "{{ data_interval_start.in_timezone('Asia/Kolkata').strftime('%Y-%m-%d') }}"
"""The IST day of the run's data interval: the day the run builds."""

RETRIES = {
    "retries": 3,
    "retry_delay": timedelta(minutes=2),
    "retry_exponential_backoff": 2.0,
    "max_retry_delay": timedelta(minutes=30),
    "execution_timeout": timedelta(hours=1),
}


def _submit_gold(task_id: str, *job_args: str) -> SparkSubmitOperator:
    return SparkSubmitOperator(
        task_id=task_id,
        conn_id=SPARK_CONNECTION,
        application=GOLD_JOB,
        application_args=list(job_args),
        driver_class_path="{{ var.value.get('upi_spark_classpath', '') }}",
        conf={"spark.driver.extraJavaOptions": JVM_OPTIONS, "spark.driver.memory": DRIVER_MEMORY},
        name=f"upi-{task_id}",
        pool=GOLD_POOL,
    )


def _gold_dag(
    dag_id: str, cron: str, *, catchup: bool, run_timeout: timedelta, tags: list[str]
) -> dict[str, Any]:
    """The arguments both gold DAGs share, with what sets each apart."""
    return {
        "dag_id": dag_id,
        "schedule": CronDataIntervalTimetable(cron, timezone=IST),
        "start_date": pendulum.datetime(2026, 11, 1, tz=IST),
        "catchup": catchup,
        "max_active_runs": 1,
        "dagrun_timeout": run_timeout,
        "default_args": RETRIES,
        "tags": ["upi", "gold", *tags],
        "doc_md": __doc__,
    }


@dag(**_gold_dag("upi_gold_daily", "0 0 * * *", catchup=True, run_timeout=timedelta(hours=2), tags=[]))
def upi_gold_daily() -> None:
    _submit_gold("build_gold_day", "--date", BUSINESS_DAY)


@dag(
    **_gold_dag(
        "upi_gold_late_days", "15 * * * *", catchup=False, run_timeout=timedelta(hours=1), tags=["late-data"]
    )
)
def upi_gold_late_days() -> None:
    _submit_gold("rebuild_late_days", "--late-days")


upi_gold_daily()
upi_gold_late_days()
