"""The event contract v1 (``contracts/upi_transaction.v1.schema.json``), shared by the generator and the stream.

The JSON Schema file is the single source of truth: the generator's tests validate against it and the
stream's validation rules read their patterns and enums from it.

Example::

    >>> from upi.contract import REQUIRED_FIELDS, pattern_of
    >>> REQUIRED_FIELDS[:2]
    ('txn_id', 'payer_vpa')
    >>> pattern_of("mcc")
    '^[0-9]{4}$'
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import jsonschema

from upi.paths import CONTRACTS_DIR

__all__ = [
    "FIELDS",
    "OPTIONAL_FIELDS",
    "REQUIRED_FIELDS",
    "SCHEMA",
    "STATUSES",
    "TERMINAL_STATUSES",
    "ContractViolationError",
    "enum_of",
    "pattern_of",
    "validate_event",
]

SCHEMA_PATH = CONTRACTS_DIR / "upi_transaction.v1.schema.json"
SCHEMA: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))

_PROPERTIES: dict[str, dict[str, Any]] = SCHEMA["properties"]
FIELDS: tuple[str, ...] = tuple(_PROPERTIES)
REQUIRED_FIELDS: tuple[str, ...] = tuple(SCHEMA["required"])
OPTIONAL_FIELDS: tuple[str, ...] = tuple(f for f in FIELDS if f not in REQUIRED_FIELDS)


class ContractViolationError(ValueError):
    """An event does not satisfy the contract."""


def pattern_of(field: str) -> str | None:
    """The regular expression a field's text must match, if the contract gives one."""
    value = _PROPERTIES[field].get("pattern")
    return str(value) if value is not None else None


def enum_of(field: str) -> tuple[str, ...] | None:
    """The allowed values of an enumerated field, if it is one."""
    values = _PROPERTIES[field].get("enum")
    return tuple(values) if values is not None else None


STATUSES: tuple[str, ...] = enum_of("status") or ()
TERMINAL_STATUSES: tuple[str, ...] = ("SUCCESS", "FAILED")


@cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(SCHEMA)


def validate_event(event: dict[str, Any]) -> None:
    """Raise :class:`ContractViolationError` when ``event`` breaks the JSON Schema of the contract."""
    error = jsonschema.exceptions.best_match(_validator().iter_errors(event))
    if error is not None:
        location = "/".join(str(p) for p in error.absolute_path) or "<event>"
        raise ContractViolationError(f"{location}: {error.message}")
