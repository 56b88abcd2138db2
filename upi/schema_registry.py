"""Register the event contract in a schema registry with Confluent's REST API (Karapace, Apicurio's ccompat).

The compose stack's ``setup`` service runs ``upi setup``, which registers
``contracts/upi_transaction.v1.schema.json`` as a JSON schema under the subject ``<topic>-value`` (Confluent's
TopicNameStrategy), so kafka-ui and any consumer can look the contract up. Registering the same schema again
returns the same id.

Example::

    >>> register_contract("http://schema-registry:8081", "upi_transactions-value")   # doctest: +SKIP
    1
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from urllib.parse import quote

from upi.contract import SCHEMA_PATH

CONTENT_TYPE = "application/vnd.schemaregistry.v1+json"


class RegistryError(RuntimeError):
    """The registry refused the contract or could not be reached."""


def register_contract(registry_url: str, subject: str, *, timeout: float = 10) -> int:
    """Register the contract under ``subject``; return the registry's schema id."""
    body = json.dumps({"schemaType": "JSON", "schema": SCHEMA_PATH.read_text(encoding="utf-8")}).encode()
    url = f"{registry_url.rstrip('/')}/subjects/{quote(subject, safe='')}/versions"
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": CONTENT_TYPE, "Accept": CONTENT_TYPE}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(json.load(response)["id"])
    except urllib.error.HTTPError as error:
        detail = error.read().decode(errors="replace")[:300]
        raise RegistryError(f"UPI_SCHEMA_REGISTRY_URL: {url} answered {error.code}: {detail}") from None
    except (urllib.error.URLError, OSError) as error:
        raise RegistryError(f"UPI_SCHEMA_REGISTRY_URL: cannot reach {url}: {error}") from None
