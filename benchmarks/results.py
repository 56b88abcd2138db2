"""Where benchmark results go and what every result records about the run.

Example::

    >>> path = save_result("sink", {"rows_per_second": 1.0}, figure)   # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def _git_commit() -> str:
    result = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False,
        cwd=RESULTS_DIR.parent,
    )  # fmt: skip
    return result.stdout.strip() or "unknown"


def run_context() -> dict[str, Any]:
    """The facts a reader needs to compare two results: when, which commit, which machine."""
    return {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": _git_commit(),
        "cpus": os.cpu_count(),
        "machine": platform.platform(),
    }


def titled(figure: Figure, title: str) -> Figure:
    """``figure`` with ``title`` over it, in the size every benchmark plot uses."""
    figure.suptitle(title, fontsize=10)
    return figure


def save_result(name: str, result: dict[str, Any], figure: Figure, *, folder: Path = RESULTS_DIR) -> Path:
    """Write ``<folder>/<name>.json`` (result + run context) and ``<folder>/<name>.png``; return the JSON path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json"
    path.write_text(json.dumps({"benchmark": name, **run_context(), **result}, indent=2) + "\n")
    figure.savefig(folder / f"{name}.png", dpi=110, bbox_inches="tight")
    return path
