"""The jars Spark needs beyond pyspark's own: Kafka source, Delta, S3A + AWS SDK, cloud checkpoints, JDBC."""

from __future__ import annotations

import re
from pathlib import Path

from upi.stack.maven import cached_classpath, resolve_classpath

_VERSIONED_JAR = re.compile(r"^(?P<artifact>.+?)-\d[\w.\-]*\.jar$")


def _artifact(jar: Path) -> str:
    match = _VERSIONED_JAR.match(jar.name)
    return match.group("artifact") if match else jar.stem


def _pyspark_artifacts() -> set[str]:
    import pyspark

    return {_artifact(j) for j in (Path(pyspark.__file__).parent / "jars").glob("*.jar")}


def _without_pyspark_duplicates(jars: list[Path]) -> list[Path]:
    # Spark's own copy must win: a second, older scala-library or Jackson on the classpath breaks Spark.
    shipped = _pyspark_artifacts()
    return [j for j in jars if _artifact(j) not in shipped]


def install_spark_jars(cache_dir: Path) -> list[Path]:
    """Download (once) and return the extra jars to pass to Spark as ``spark.jars``."""
    return _without_pyspark_duplicates(resolve_classpath(cache_dir, "spark"))


def installed_spark_jars(cache_dir: Path) -> list[Path] | None:
    """The extra jars if ``install_spark_jars`` already ran for the current pom, else ``None``."""
    jars = cached_classpath(cache_dir, "spark")
    return _without_pyspark_duplicates(jars) if jars is not None else None
