"""`upi setup` registers the event contract with Confluent's schema-registry REST API (as Karapace serves it).

The registry here is a tiny HTTP endpoint on loopback that records what it receives and answers like
Confluent's API; Karapace itself runs in the compose stack only."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, ClassVar

import pytest

from upi.contract import SCHEMA_PATH
from upi.schema_registry import CONTENT_TYPE, RegistryError, register_contract


class _Registry(BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, Any]]] = []
    status: ClassVar[int] = 200

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append(
            {"path": self.path, "type": self.headers["Content-Type"], "body": json.loads(body)}
        )
        answer = {"id": 7} if self.status == 200 else {"error_code": 42201, "message": "Invalid schema"}
        payload = json.dumps(answer).encode()
        self.send_response(self.status)
        self.send_header("Content-Type", CONTENT_TYPE)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def registry() -> Iterator[tuple[str, type[_Registry]]]:
    handler = type("Registry", (_Registry,), {"received": [], "status": 200})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", handler
    server.shutdown()
    server.server_close()


def test_the_contract_is_posted_as_a_json_schema_under_the_subject(
    registry: tuple[str, type[_Registry]],
) -> None:
    url, handler = registry
    assert register_contract(url + "/", "upi_transactions-value") == 7
    (request,) = handler.received
    assert request["path"] == "/subjects/upi_transactions-value/versions"
    assert request["type"] == CONTENT_TYPE
    assert request["body"] == {"schemaType": "JSON", "schema": SCHEMA_PATH.read_text(encoding="utf-8")}


def test_a_refused_contract_is_one_line_naming_the_setting(registry: tuple[str, type[_Registry]]) -> None:
    url, handler = registry
    handler.status = 422
    with pytest.raises(RegistryError, match=r"^UPI_SCHEMA_REGISTRY_URL: .* answered 422: .*Invalid schema"):
        register_contract(url, "upi_transactions-value")


def test_an_unreachable_registry_names_the_setting() -> None:
    with pytest.raises(RegistryError, match=r"^UPI_SCHEMA_REGISTRY_URL: cannot reach"):
        register_contract("http://127.0.0.1:9", "upi_transactions-value", timeout=2)
