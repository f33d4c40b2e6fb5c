"""Each injected fault, seen from a real client: 429 with Retry-After, 5xx, timeouts, commit-then-drop."""

from __future__ import annotations

import httpx
import pytest

from pagetojob.sandbox.faults import Faults, FaultSettings, updated_settings
from pagetojob.sandbox.server import SandboxServer

from .conftest import BOOKINGS, Client, booking_body, make_config

UNITS = "/settings/v2/tenant/{t}/business-units"


def bookings_named(client: Client, external_id: str) -> int:
    return client.admin(f"tenants/4100100/records?kind=booking&externalId={external_id}").json()["count"]


def test_rate_limit_answers_429_with_retry_after():
    with SandboxServer(config=make_config(rate_limit=1.0, burst=3)) as server:
        api = Client(server.url)
        statuses = [api.get(UNITS) for _ in range(5)]
        assert [r.status_code for r in statuses] == [200, 200, 200, 429, 429]
        limited = statuses[3]
        assert limited.headers["Retry-After"] == "1"
        body = limited.json()
        assert body["status"] == 429 and "Try again in 1 seconds" in body["title"] and body["traceId"]
        assert api.fetch_token().status_code == 200  # token calls are not limited
        stats = api.admin("stats").json()
        assert stats["tenants"]["4100100"]["rateLimited"] == 2 and stats["tenants"]["4100100"]["requests"] == 5
        api.close()


def test_rate_limit_is_per_tenant():
    with SandboxServer(config=make_config(rate_limit=1.0, burst=1)) as server:
        api = Client(server.url)
        api.admin("tenants", {"tenant": 4100300, "clientId": "cid.t2", "clientSecret": "fake-t2-secret"})
        other = Client(server.url, client_id="cid.t2", secret="fake-t2-secret", tenant=4100300)
        assert api.get(UNITS).status_code == 200 and api.get(UNITS).status_code == 429
        assert other.get(UNITS).status_code == 200
        api.close()
        other.close()


def test_error_share_follows_the_seeded_generator():
    def run() -> list[int]:
        with SandboxServer(config=make_config(error_rate=0.3, rng_seed=7)) as server:
            api = Client(server.url)
            codes = [api.get(UNITS).status_code for _ in range(40)]
            assert api.admin("stats").json()["total"]["serverErrors"] == codes.count(500)
            api.close()
            return codes

    first = run()
    assert first == run()  # the same seed gives the same sequence
    assert set(first) == {200, 500} and 4 <= first.count(500) <= 20


def test_server_errors_write_nothing():
    with SandboxServer(config=make_config(error_rate=1.0)) as server:
        api = Client(server.url)
        response = api.post(BOOKINGS, booking_body("dp-req-5xx"))
        assert response.status_code == 500 and response.json()["data"] == {"sandboxFault": "error"}
        assert bookings_named(api, "dp-req-5xx") == 0
        api.close()


def test_timeout_holds_the_call_then_drops_it_without_writing():
    with SandboxServer(config=make_config(timeout_rate=1.0, timeout_seconds=0.6)) as server:
        api = Client(server.url, timeout=0.3)
        with pytest.raises(httpx.ReadTimeout):
            api.post(BOOKINGS, booking_body("dp-req-timeout"))
        patient = Client(server.url, timeout=5)
        with pytest.raises(httpx.RemoteProtocolError):  # held 0.6 s, then closed without an answer
            patient.post(BOOKINGS, booking_body("dp-req-timeout"))
        assert bookings_named(api, "dp-req-timeout") == 0
        assert api.admin("stats").json()["total"]["timeouts"] == 2
        api.close()
        patient.close()


def test_commit_then_drop_writes_the_record_but_never_answers():
    with SandboxServer(config=make_config(drop_rate=1.0)) as server:
        api = Client(server.url)
        with pytest.raises(httpx.RemoteProtocolError):
            api.post(BOOKINGS, booking_body("dp-req-drop"))
        assert bookings_named(api, "dp-req-drop") == 1
        api.admin("faults", {"dropRate": 0})
        found = api.get(BOOKINGS, externalId="dp-req-drop").json()["data"]
        assert len(found) == 1  # what a client does before retrying: look the externalId up
        assert api.admin("stats").json()["total"]["drops"] == 1
        api.close()


def test_latency_is_added_to_api_calls_only():
    with SandboxServer(config=make_config(latency_ms=250)) as server:
        api = Client(server.url)
        api.headers()
        slow = api.get(UNITS)
        quick = api.admin("stats")
        assert slow.elapsed.total_seconds() >= 0.25 and quick.elapsed.total_seconds() < 0.25
        api.close()


def test_faults_change_at_run_time(client: Client):
    assert client.get(UNITS).status_code == 200
    changed = client.admin("faults", {"errorRate": 1.0})
    assert changed.status_code == 200 and changed.json()["error_rate"] == 1.0
    assert client.get(UNITS).status_code == 500
    assert client.admin("stats").status_code == 200  # /_sandbox/ never gets faults
    assert client.fetch_token().status_code == 200  # nor the token endpoint, unless asked
    client.admin("faults", {"token_faults": True})
    assert client.fetch_token().status_code == 500
    client.admin("faults", {"errorRate": 0, "tokenFaults": False})
    assert client.get(UNITS).status_code == 200
    bad = client.admin("faults", {"errorRate": 2})
    assert bad.status_code == 400 and "between 0 and 1" in bad.json()["title"]
    unknown = client.admin("faults", {"chaos": 1})
    assert unknown.status_code == 400 and "unknown fault setting" in unknown.json()["title"]


def test_fault_settings_validation():
    with pytest.raises(ValueError, match="more than 1"):
        updated_settings(FaultSettings(), {"error_rate": 0.6, "drop_rate": 0.6})
    with pytest.raises(ValueError, match="must be a number"):
        updated_settings(FaultSettings(), {"latency_ms": "slow"})
    faults = Faults(FaultSettings(error_rate=0.5, drop_rate=0.5, rng_seed=1))
    assert {faults.draw() for _ in range(50)} == {"error", "drop"}
