"""A real ServiceTitan sandbox on a free port of 127.0.0.1, and clients pointed at it over HTTP."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.conf import settings

from pagetojob.sandbox.faults import FaultSettings
from pagetojob.sandbox.seeds import DEMO_TENANT_ID
from pagetojob.sandbox.server import ClientCredentials, SandboxConfig, SandboxServer
from pagetojob.titan import ratelimit, tokens
from pagetojob.titan.client import Credentials, TitanClient

APP_KEY = "ak1.titan-tests-app-key-0001"
CLIENT_ID = "cid.titan-tests-client-7f3a"
CLIENT_SECRET = "cs1.titan-tests-secret-9d2e41"
TENANT = DEMO_TENANT_ID
PROVIDER = 7700901  # the demo seed's "PageToJob Website" booking provider
SECRETS = (APP_KEY, CLIENT_ID, CLIENT_SECRET)


def _openapi_dir() -> Path:
    directory = Path(os.environ.get("PAGETOJOB_ST_OPENAPI_DIR", settings.ST_OPENAPI_DIR))
    return directory if directory.is_dir() else Path("/nonexistent")  # without documents: no schema validation


@dataclass
class Sandbox:
    server: SandboxServer

    @property
    def url(self) -> str:
        return self.server.url

    def admin(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        response = httpx.request(method, f"{self.url}/_sandbox/{path}", json=body, timeout=10)
        response.raise_for_status()
        return response.json()

    def faults(self, **changes: Any) -> None:
        self.admin("POST", "faults", changes)

    def stats(self) -> dict[str, int]:
        return self.admin("GET", "stats")["tenants"].get(str(TENANT), {})

    def token_requests(self) -> dict[str, int]:
        return self.admin("GET", "stats")["tokenRequests"]

    def records(self, **params: str) -> list[dict[str, Any]]:
        response = httpx.get(f"{self.url}/_sandbox/tenants/{TENANT}/records", params=params, timeout=10)
        response.raise_for_status()
        return response.json()["records"]

    def credentials(self, **changes: Any) -> Credentials:
        values: dict[str, Any] = {"environment": "sandbox", "tenant_id": TENANT, "app_key": APP_KEY,
                                  "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "base_url": self.url,
                                  "connection_key": "tests"}
        values.update(changes)
        return Credentials(**values)

    def client(self, **options: Any) -> TitanClient:
        options.setdefault("timeout", 5.0)
        options.setdefault("rate_limit", 1000.0)
        credentials = options.pop("credentials", None) or self.credentials()
        return TitanClient(credentials, **options)


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[SandboxServer]:
    config = SandboxConfig(seed="demo", clients=[ClientCredentials(TENANT, CLIENT_ID, CLIENT_SECRET)],
                           app_key=APP_KEY, openapi_dir=_openapi_dir(), faults=FaultSettings(rate_limit=0.0),
                           export_page_size=2)
    server = SandboxServer("127.0.0.1", 0, config).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def sandbox(sandbox_server: SandboxServer) -> Iterator[Sandbox]:
    """The session's sandbox, reset to its seed with no faults; tokens and rate buckets of this process forgotten."""
    box = Sandbox(sandbox_server)
    box.faults(rate_limit=0, burst=None, error_rate=0, timeout_rate=0, drop_rate=0, latency_ms=0, timeout_seconds=30,
               token_faults=False)
    box.admin("POST", "reset", {})
    sandbox_server.state.config.token_ttl = 900
    tokens.cache.clear()
    ratelimit.reset()
    yield box
    tokens.cache.clear()
    ratelimit.reset()
