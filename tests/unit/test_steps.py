"""Steps: wall time per named step of a batch job, the step's name on the Spark jobs it starts."""

from __future__ import annotations

from pyspark.sql import SparkSession

from spark_jobs.steps import JOB_DESCRIPTION, Steps


def test_the_jobs_of_a_timed_step_carry_its_name(spark: SparkSession) -> None:
    with Steps(spark).timed("final states"):
        assert spark.sparkContext.getLocalProperty(JOB_DESCRIPTION) == "final states"


def test_a_timed_step_gives_back_the_description_it_found(spark: SparkSession) -> None:
    steps = Steps(spark)
    with steps.timed("publish"):
        with steps.timed("publish to Delta"):
            pass
        assert spark.sparkContext.getLocalProperty(JOB_DESCRIPTION) == "publish"
    assert spark.sparkContext.getLocalProperty(JOB_DESCRIPTION) is None


def test_a_step_timed_twice_adds_up_under_its_first_position(spark: SparkSession) -> None:
    steps = Steps(spark)
    for name in ("breakdowns", "suite", "breakdowns"):
        with steps.timed(name):
            spark.range(10).count()
    assert list(steps.seconds) == ["breakdowns", "suite"]
    assert all(seconds > 0 for seconds in steps.seconds.values())
