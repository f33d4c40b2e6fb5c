"""Lists (page, pageSize, hasMore, totalCount, active, modifiedOnOrAfter) and export feeds (from/continueFrom)."""

from __future__ import annotations

import pytest

from pagetojob.sandbox import seeds

from .conftest import BOOKINGS, Client, booking_body

LISTS = {
    "/settings/v2/tenant/{t}/business-units": seeds.BUSINESS_UNITS,
    "/jpm/v2/tenant/{t}/job-types": seeds.JOB_TYPES,
    "/marketing/v2/tenant/{t}/campaigns": seeds.CAMPAIGNS,
    "/dispatch/v2/tenant/{t}/zones": seeds.ZONES,
    "/pricebook/v2/tenant/{t}/services": seeds.SERVICES,
    "/memberships/v2/tenant/{t}/membership-types": seeds.MEMBERSHIP_TYPES,
    "/memberships/v2/tenant/{t}/recurring-service-types": seeds.RECURRING_SERVICE_TYPES,
}


@pytest.mark.parametrize("path", sorted(LISTS))
def test_active_filter_and_total(client: Client, path: str):
    rows = LISTS[path]
    active_ids = sorted(row[0] for row in rows if row[-1])
    default = client.get(path, includeTotal="true", pageSize=5000).json()
    assert [item["id"] for item in default["data"]] == active_ids
    assert default["totalCount"] == len(active_ids) and default["hasMore"] is False and default["page"] == 1
    every = client.get(path, active="Any", pageSize=5000).json()
    assert len(every["data"]) == len(rows) and every["totalCount"] is None
    inactive = client.get(path, active="False").json()
    assert sorted(item["id"] for item in inactive["data"]) == sorted(row[0] for row in rows if not row[-1])


def test_paging_walks_every_record_once(client: Client):
    seen, page = [], 1
    while True:
        body = client.get("/pricebook/v2/tenant/{t}/services", page=page, pageSize=7, active="Any").json()
        assert body["pageSize"] == 7 and len(body["data"]) <= 7
        seen += [item["id"] for item in body["data"]]
        if not body["hasMore"]:
            break
        page += 1
    assert page == 5 and seen == sorted(row[0] for row in seeds.SERVICES)


def test_booking_provider_tags_list(client: Client):
    body = client.get("/crm/v2/tenant/{t}/booking-provider-tags").json()
    assert [(tag["id"], tag["tagName"]) for tag in body["data"]] == [(7700901, "PageToJob Website"),
                                                                      (7700902, "Scheduling Pro Website")]


def test_bad_list_parameters_get_a_clear_400(client: Client):
    too_big = client.get("/jpm/v2/tenant/{t}/job-types", pageSize=5001)
    assert too_big.status_code == 400 and "pageSize" in too_big.json()["errors"]
    assert "5000" in too_big.json()["errors"]["pageSize"][0]
    bad_active = client.get("/jpm/v2/tenant/{t}/job-types", active="yes")
    assert bad_active.status_code == 400 and "True, Any or False" in bad_active.json()["errors"]["active"][0]
    bad_date = client.get("/jpm/v2/tenant/{t}/job-types", modifiedOnOrAfter="last tuesday")
    assert bad_date.status_code == 400 and "modifiedOnOrAfter" in bad_date.json()["errors"]


def test_modified_on_or_after_returns_only_later_changes(client: Client):
    assert client.get("/jpm/v2/tenant/{t}/job-types", modifiedOnOrAfter="2030-01-01T00:00:00Z").json()["data"] == []
    created = client.post(BOOKINGS, booking_body("ext-modified")).json()
    recent = client.get("/crm/v2/tenant/{t}/bookings", modifiedOnOrAfter=created["modifiedOn"]).json()
    assert [item["id"] for item in recent["data"]] == [created["id"]]


@pytest.mark.parametrize("path,rows", [
    ("/settings/v2/tenant/{t}/export/business-units", seeds.BUSINESS_UNITS),
    ("/pricebook/v2/tenant/{t}/export/services", seeds.SERVICES),
    ("/memberships/v2/tenant/{t}/export/membership-types", seeds.MEMBERSHIP_TYPES),
    ("/memberships/v2/tenant/{t}/export/recurring-service-types", seeds.RECURRING_SERVICE_TYPES),
])
def test_export_feed_continues_from_its_token(client: Client, path: str, rows: tuple):
    ids, token, calls = [], "", 0
    while True:
        body = client.get(path, **{"from": token}).json()
        assert set(body) == {"hasMore", "continueFrom", "data"}
        ids += [item["id"] for item in body["data"]]
        token, calls = body["continueFrom"], calls + 1
        if not body["hasMore"]:
            break
    assert sorted(ids) == sorted(row[0] for row in rows) and len(ids) == len(set(ids))
    assert calls == -(-len(rows) // 3)  # the test server pages exports by 3
    assert client.get(path, **{"from": token}).json()["data"] == []  # nothing new since


def test_jobs_created_through_the_api_appear_in_the_jobs_feed(client: Client):
    token = ""
    while True:
        body = client.get("/jpm/v2/tenant/{t}/export/jobs", **{"from": token}).json()
        token = body["continueFrom"]
        if not body["hasMore"]:
            break
    job = client.post("/jpm/v2/tenant/{t}/jobs", {
        "customerId": 8800001, "locationId": 8900001, "businessUnitId": 1000201, "jobTypeId": 2100301,
        "priority": "Normal", "campaignId": 3300401,
        "appointments": [{"start": "2026-12-02T16:00:00Z", "end": "2026-12-02T18:00:00Z"}]}).json()
    after = client.get("/jpm/v2/tenant/{t}/export/jobs", **{"from": token}).json()
    assert [item["id"] for item in after["data"]] == [job["id"]] and after["hasMore"] is False


def test_invoice_and_payment_feeds_are_seeded(client: Client):
    invoices = client.get("/accounting/v2/tenant/{t}/export/invoices").json()
    payments = client.get("/accounting/v2/tenant/{t}/export/payments").json()
    assert invoices["hasMore"] and payments["hasMore"] and len(invoices["data"]) == 3
    first = invoices["data"][0]
    assert first["id"] == seeds.FIRST_INVOICE_ID and first["job"]["id"] == seeds.FIRST_JOB_ID


def test_export_rejects_a_token_it_did_not_issue(client: Client):
    response = client.get("/settings/v2/tenant/{t}/export/business-units", **{"from": "banana"})
    assert response.status_code == 400 and "continueFrom" in response.json()["errors"]["from"][0]
    by_date = client.get("/settings/v2/tenant/{t}/export/business-units", **{"from": "2030-01-01T00:00:00Z"})
    assert by_date.status_code == 200 and by_date.json()["data"] == []
