"""Pooled Postgres transactions that retry transient failures and explain permanent ones.

Transient: the connection was refused or lost (server restart, network), a serialization failure or a
deadlock. The whole transaction is retried with exponential backoff; it is atomic, so a retry after a
failure never half-applies anything. Any other database error is permanent: it fails at once as a
:class:`PostgresWriteError` naming what was being written.

Example::

    >>> rows = run_in_transaction(dsn, lambda cur: cur.execute("SELECT 1") or 1, what="a probe")   # doctest: +SKIP
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

import psycopg2
import psycopg2.errors
from psycopg2.extensions import cursor as Cursor
from psycopg2.pool import ThreadedConnectionPool

T = TypeVar("T")

TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    psycopg2.OperationalError,  # refused, lost, admin shutdown
    psycopg2.InterfaceError,  # the connection was already closed under us
    psycopg2.errors.SerializationFailure,
    psycopg2.errors.DeadlockDetected,
)
MAX_CONNECTIONS = 4

log = logging.getLogger(__name__)

_pools: dict[str, ThreadedConnectionPool] = {}
_pools_lock = threading.Lock()


class PostgresWriteError(RuntimeError):
    """A write to Postgres failed for good; the message says what was written and why it failed."""


def _pool(dsn: str) -> ThreadedConnectionPool:
    with _pools_lock:
        if dsn not in _pools:
            pool = ThreadedConnectionPool(0, MAX_CONNECTIONS, dsn)
            # psycopg2 keeps a returned connection only while fewer than ``minconn`` are idle (and opens
            # ``minconn`` at once): with 0, each transaction paid a new server process and a SCRAM login
            # (10 ms, 5 ms of client CPU, against 0.6 ms reused). Keep up to the maximum, opened on demand.
            pool.minconn = MAX_CONNECTIONS
            _pools[dsn] = pool
        return _pools[dsn]


def close_pools(dsn: str | None = None) -> None:
    """Close the pooled connections to ``dsn`` (default: to every server); call it once no transaction runs.

    A run of the stream or the gold job calls it when it ends, so its database can be dropped or renamed."""
    with _pools_lock:
        for key in [dsn] if dsn is not None else list(_pools):
            pool = _pools.pop(key, None)
            if pool is not None:
                pool.closeall()


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def run_in_transaction(
    dsn: str, work: Callable[[Cursor], T], *, what: str, attempts: int = 6, first_backoff: float = 0.5
) -> T:
    """Run ``work`` in one transaction on a pooled connection, committing on return; retry transient errors."""
    for attempt in range(1, attempts + 1):
        pool = _pool(dsn)
        conn = None
        try:
            conn = pool.getconn()
            with conn, conn.cursor() as cur:
                result = work(cur)
        except TRANSIENT_ERRORS as error:
            if conn is not None:
                pool.putconn(conn, close=True)
            if attempt == attempts:
                raise PostgresWriteError(
                    f"{what}: Postgres still unavailable after {attempts} attempts: {_first_line(error)}"
                ) from error
            backoff = first_backoff * 2 ** (attempt - 1)
            log.warning(
                "%s: %s; retry %d of %d in %.1fs", what, _first_line(error), attempt, attempts - 1, backoff
            )
            time.sleep(backoff)
            continue
        except psycopg2.Error as error:
            if conn is not None:
                pool.putconn(conn, close=bool(conn.closed))
            raise PostgresWriteError(f"{what}: Postgres rejected it: {_first_line(error)}") from error
        except BaseException:
            if conn is not None:
                pool.putconn(conn, close=True)
            raise
        pool.putconn(conn)
        return result
    raise AssertionError("unreachable")  # pragma: no cover
