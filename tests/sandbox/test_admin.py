"""The `/_sandbox/` inspection and admin endpoints."""

from __future__ import annotations

from pagetojob.sandbox.seeds import DEMO_TENANT_ID, JOB_TYPES

from .conftest import BOOKINGS, Client, booking_body


def test_records_by_kind_and_external_id(client: Client):
    created = client.post(BOOKINGS, booking_body("dp-req-inspect")).json()
    found = client.admin(f"tenants/{DEMO_TENANT_ID}/records?kind=booking&externalId=dp-req-inspect").json()
    assert found["count"] == 1
    record = found["records"][0]
    assert record["id"] == created["id"] and record["body"] == created and record["request"]["name"] == "Dana Whitfield"
    job_types = client.admin(f"tenants/{DEMO_TENANT_ID}/records?kind=job_type").json()
    assert job_types["count"] == len(JOB_TYPES)
    by_id = client.admin(f"tenants/{DEMO_TENANT_ID}/records?kind=job_type&id=2100313").json()
    assert by_id["records"][0]["body"]["active"] is False
    bad_kind = client.admin(f"tenants/{DEMO_TENANT_ID}/records?kind=bookings")
    assert bad_kind.status_code == 400 and "booking" in bad_kind.json()["title"]
    assert client.admin("tenants/99/records").status_code == 404


def test_counts_stats_and_tenants(client: Client):
    client.post(BOOKINGS, booking_body("dp-req-count"))
    counts = client.admin(f"tenants/{DEMO_TENANT_ID}/counts").json()["counts"]
    assert counts["booking"] == 1 and counts["business_unit"] == 5 and counts["job"] == 60
    stats = client.admin("stats").json()
    assert stats["total"]["requests"] == 1 and stats["total"]["ok"] == 1 and stats["tokenRequests"]["issued"] == 1
    tenants = client.admin("tenants").json()["tenants"]
    assert [t["tenant"] for t in tenants] == [DEMO_TENANT_ID] and "clientSecret" not in tenants[0]


def test_create_tenant_with_seed_and_credentials(server, client: Client):
    made = client.admin("tenants", {"seed": "empty"})
    assert made.status_code == 201
    body = made.json()
    assert body["tenant"] == DEMO_TENANT_ID + 1 and body["appKey"] == server.app_key and len(body["clientSecret"]) > 20
    fresh = Client(server.url, client_id=body["clientId"], secret=body["clientSecret"], tenant=body["tenant"])
    assert fresh.get("/settings/v2/tenant/{t}/business-units").json()["data"] == []
    fresh.close()
    assert client.admin("tenants", {"tenant": DEMO_TENANT_ID}).status_code == 409
    assert client.admin("tenants", {"seed": "full"}).status_code == 400
    assert client.admin("tenants", {"tenant": "abc"}).status_code == 400


def test_reset_restores_the_seed_and_clears_stats(client: Client):
    client.post(BOOKINGS, booking_body("dp-req-reset"))
    assert client.admin("reset", {}).json() == {"reset": [DEMO_TENANT_ID]}
    assert client.admin(f"tenants/{DEMO_TENANT_ID}/counts").json()["counts"]["booking"] == 0
    assert client.admin("stats").json()["total"]["requests"] == 0
    assert client.get(BOOKINGS, externalId="dp-req-reset").json()["data"] == []  # tokens survive a reset
    assert client.admin("nothing").status_code == 404
