"""A real sandbox server on a free port and a small HTTP client that talks to it like an integration would."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.conf import settings

from pagetojob.sandbox.faults import FaultSettings
from pagetojob.sandbox.seeds import DEMO_TENANT_ID
from pagetojob.sandbox.server import ClientCredentials, SandboxConfig, SandboxServer

IN_CI = os.environ.get("CI", "").lower() == "true"
FAKE_SECRET = "fake-test-secret-not-real"
FAKE_APP_KEY = "ak1.fake-test-app-key"
PROVIDER = 7700901  # "PageToJob Website" in the demo seed


def openapi_dir() -> Path | None:
    directory = Path(os.environ.get("PAGETOJOB_ST_OPENAPI_DIR", settings.ST_OPENAPI_DIR))
    return directory if directory.is_dir() and list(directory.glob("*.json")) else None


def require_openapi_dir() -> Path:
    directory = openapi_dir()
    if directory is None:
        message = "ServiceTitan OpenAPI documents not found (set PAGETOJOB_ST_OPENAPI_DIR)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return directory


def make_config(**faults: Any) -> SandboxConfig:
    return SandboxConfig(seed="demo", clients=[ClientCredentials(DEMO_TENANT_ID, "cid.test", FAKE_SECRET)],
                         app_key=FAKE_APP_KEY, openapi_dir=openapi_dir() or Path("/nonexistent"),
                         faults=FaultSettings(**{"rate_limit": 0.0, **faults}), export_page_size=3)


@dataclass
class Client:
    """Fetches a token once and sends ServiceTitan calls with it; `raw` has no auth headers."""

    base: str
    client_id: str = "cid.test"
    secret: str = FAKE_SECRET
    app_key: str = FAKE_APP_KEY
    tenant: int = DEMO_TENANT_ID
    timeout: float = 5.0
    token: str | None = None
    http: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.http = httpx.Client(base_url=self.base, timeout=self.timeout)

    def fetch_token(self) -> httpx.Response:
        return self.http.post("/connect/token", data={"grant_type": "client_credentials", "client_id": self.client_id,
                                                      "client_secret": self.secret})

    def headers(self) -> dict[str, str]:
        if self.token is None:
            response = self.fetch_token()
            assert response.status_code == 200, response.text
            self.token = response.json()["access_token"]
        return {"Authorization": f"Bearer {self.token}", "ST-App-Key": self.app_key}

    def get(self, path: str, **params: Any) -> httpx.Response:
        return self.http.get(path.format(t=self.tenant), params=params, headers=self.headers())

    def post(self, path: str, body: Any) -> httpx.Response:
        return self.http.post(path.format(t=self.tenant), json=body, headers=self.headers())

    def admin(self, path: str, body: Any = None) -> httpx.Response:
        if body is None:
            return self.http.get(f"/_sandbox/{path}")
        return self.http.post(f"/_sandbox/{path}", json=body)

    def close(self) -> None:
        self.http.close()


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    with SandboxServer(config=make_config()) as running:
        yield running


@pytest.fixture
def client(server: SandboxServer) -> Iterator[Client]:
    api = Client(server.url)
    yield api
    api.close()


def booking_body(external_id: str, **extra: Any) -> dict[str, Any]:
    return {"source": "PageToJob", "name": "Dana Whitfield", "summary": "AC blowing warm air",
            "isFirstTimeClient": True, "externalId": external_id, "campaignId": 3300401, "businessUnitId": 1000201,
            "jobTypeId": 2100301,
            "priority": "Normal", "address": {"street": "1204 E Palm Ln", "city": "Phoenix", "state": "AZ",
                                              "zip": "85006", "country": "USA"},
            "contacts": [{"type": "MobilePhone", "value": "6025550101"}], "start": "2026-12-01T16:00:00Z", **extra}


BOOKINGS = "/crm/v2/tenant/{t}/booking-provider/" + str(PROVIDER) + "/bookings"
