"""Grafana's PostgreSQL macros, expanded the way Grafana expands them, so a panel's SQL can run outside Grafana.

Covers what the panels use and Grafana's other time macros: the ``$__interval`` / ``$__interval_ms``
variables, ``$__timeFilter``, ``$__timeFrom``, ``$__timeTo``, ``$__timeGroup``, ``$__timeGroupAlias``,
``$__time``, ``$__timeEpoch``, ``$__unixEpochFilter``, ``$__unixEpochFrom`` and ``$__unixEpochTo``. An unknown
macro is an error, as in Grafana.

Example::

    >>> from datetime import datetime, UTC
    >>> expand("SELECT 1 WHERE $__timeFilter(t)", datetime(2026, 11, 1, tzinfo=UTC),
    ...        datetime(2026, 11, 2, tzinfo=UTC), "1m")
    "SELECT 1 WHERE t BETWEEN '2026-11-01T00:00:00Z' AND '2026-11-02T00:00:00Z'"
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

# Grafana's own pattern (pkg/tsdb/sqleng): a macro's arguments cannot contain ")".
_MACRO = re.compile(r"\$(__[_a-zA-Z0-9]+)\(([^)]*)\)")
_INTERVAL = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)$")
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}


class MacroError(ValueError):
    """A macro Grafana would reject: unknown, or with the wrong arguments."""


def interval_seconds(interval: str) -> float:
    """Seconds in a Grafana interval such as ``"30s"``, ``"1m"``, ``"1h"`` or ``"1d"``."""
    match = _INTERVAL.match(interval.strip().strip("'\""))
    if match is None:
        raise MacroError(f"{interval!r} is not a Grafana interval such as '1m' or '30s'")
    return float(match.group(1)) * _UNIT_SECONDS[match.group(2)]


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def expand(sql: str, time_from: datetime, time_to: datetime, interval: str) -> str:
    """``sql`` with Grafana's variables and macros replaced for the range ``time_from``–``time_to``."""
    step = interval_seconds(interval)
    sql = sql.replace("$__interval_ms", _number(step * 1000)).replace("$__interval", interval)
    start, end = _rfc3339(time_from), _rfc3339(time_to)
    epoch_from, epoch_to = int(time_from.timestamp()), int(time_to.timestamp())

    def group(args: list[str]) -> str:
        if len(args) not in (2, 3):
            raise MacroError("$__timeGroup takes (column, interval[, fill])")
        seconds = _number(interval_seconds(args[1]))
        return f"floor(extract(epoch from {args[0]})/{seconds})*{seconds}"

    macros: dict[str, Callable[[list[str]], str]] = {
        "__time": lambda a: f'{_one(a)} AS "time"',
        "__timeEpoch": lambda a: f'extract(epoch from {_one(a)}) AS "time"',
        "__timeFilter": lambda a: f"{_one(a)} BETWEEN '{start}' AND '{end}'",
        "__timeFrom": lambda a: f"'{start}'",
        "__timeTo": lambda a: f"'{end}'",
        "__timeGroup": group,
        "__timeGroupAlias": lambda a: f'{group(a)} AS "time"',
        "__unixEpochFilter": lambda a: f"{_one(a)} >= {epoch_from} AND {_one(a)} <= {epoch_to}",
        "__unixEpochFrom": lambda a: str(epoch_from),
        "__unixEpochTo": lambda a: str(epoch_to),
    }

    def replace(match: re.Match[str]) -> str:
        name, raw = match.group(1), match.group(2)
        if name not in macros:
            raise MacroError(f"unknown Grafana macro ${name}")
        args = [arg.strip() for arg in raw.split(",")] if raw.strip() else []
        return macros[name](args)

    return _MACRO.sub(replace, sql)


def _one(args: list[str]) -> str:
    if len(args) != 1:
        raise MacroError(f"expected one column, got {len(args)} arguments")
    return args[0]


def _number(value: float) -> str:
    """Like Go's %v of a float64: 60 for 60.0, 0.5 for 0.5."""
    return str(int(value)) if value == int(value) else repr(value)
