"""Where a Spark job's time went: its stages' run times, from the session's own web UI (REST API).

Example::

    >>> mark = stage_mark(spark)                       # doctest: +SKIP
    >>> run_gold(spark, settings, day)
    >>> slowest_stages(spark, since=mark)[:5]           # [{"stage": 12, "name": "...", "seconds": 41.2, ...}]
"""

from __future__ import annotations

import json
import urllib.request
from datetime import datetime
from typing import Any

from pyspark.sql import SparkSession


def _get(spark: SparkSession, path: str) -> Any:
    """The UI's answer for ``path``; an empty list when the session runs without its UI."""
    url = spark.sparkContext.uiWebUrl
    if not url:
        return []
    application = spark.sparkContext.applicationId
    with urllib.request.urlopen(f"{url}/api/v1/applications/{application}/{path}", timeout=30) as response:
        return json.load(response)


def stage_mark(spark: SparkSession) -> int:
    """The highest stage id so far: stages after it belong to what runs next."""
    return max((int(stage["stageId"]) for stage in _get(spark, "stages")), default=-1)


def _seconds(stage: dict[str, Any]) -> float:
    def parsed(stamp: str) -> datetime:
        return datetime.strptime(stamp.replace("GMT", "+0000"), "%Y-%m-%dT%H:%M:%S.%f%z")

    if "submissionTime" not in stage or "completionTime" not in stage:
        return 0.0
    return (parsed(stage["completionTime"]) - parsed(stage["submissionTime"])).total_seconds()


def slowest_stages(spark: SparkSession, *, since: int = -1, top: int = 8) -> list[dict[str, Any]]:
    """The ``top`` longest completed stages after stage ``since``: id, call site, wall seconds, tasks, rows
    read and shuffled; none when the session runs without its UI (a session another caller built)."""
    stages = [s for s in _get(spark, "stages?status=complete") if int(s["stageId"]) > since]
    ranked = sorted(stages, key=_seconds, reverse=True)[:top]
    return [
        {
            "stage": int(s["stageId"]),
            "name": str(s.get("description") or s["name"]).splitlines()[0][:120],
            "seconds": round(_seconds(s), 2),
            "tasks": int(s["numTasks"]),
            "input_records": int(s.get("inputRecords", 0)),
            "shuffle_read_records": int(s.get("shuffleReadRecords", 0)),
            "shuffle_write_records": int(s.get("shuffleWriteRecords", 0)),
        }
        for s in ranked
    ]
