"""Every create the sandbox answers, with a valid body and with one the official schema rejects."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import BOOKINGS, PROVIDER, Client, booking_body

ERROR_KEYS = {"type", "title", "status", "traceId", "errors", "data"}
JOBS = "/jpm/v2/tenant/{t}/jobs"
LEADS = "/crm/v2/tenant/{t}/leads"


def job_body(**extra: Any) -> dict[str, Any]:
    return {"customerId": 8800001, "locationId": 8900001, "businessUnitId": 1000201, "jobTypeId": 2100301,
            "priority": "Normal", "campaignId": 3300401, "summary": "AC blowing warm air",
            "appointments": [{"start": "2026-12-02T16:00:00Z", "end": "2026-12-02T18:00:00Z"}], **extra}


def lead_body(**extra: Any) -> dict[str, Any]:
    return {"campaignId": 3300401, "summary": "Quote for a new heat pump", "leadCustomerName": "Dana Whitfield",
            "leadPhone": "6025550101", "leadZip": "85006", **extra}


def session(**extra: Any) -> dict[str, Any]:
    return {"landingPageUrl": "https://www.desertpeakair.com/ac-repair-phoenix", "referrerUrl": "https://www.google.com/",
            "gclid": "fake-gclid", "utmSource": "google", "utmMedium": "cpc", **extra}


def assert_validation_error(response, field: str) -> None:
    assert response.status_code == 400, response.text
    body = response.json()
    assert set(body) == ERROR_KEYS and body["status"] == 400 and body["traceId"]
    assert field in body["errors"], body["errors"]


def test_booking_create_and_read_back(client: Client):
    response = client.post(BOOKINGS, booking_body("dp-req-0001"))
    assert response.status_code == 200
    booking = response.json()
    assert booking["externalId"] == "dp-req-0001" and booking["bookingProviderId"] == PROVIDER
    assert booking["status"] == "New" and booking["start"] == "2026-12-01T16:00:00Z"
    assert client.get(BOOKINGS + f"/{booking['id']}").json() == booking
    assert client.get("/crm/v2/tenant/{t}/bookings/" + str(booking["id"])).json() == booking
    missing = client.get("/crm/v2/tenant/{t}/bookings/1")
    assert missing.status_code == 404 and set(missing.json()) == ERROR_KEYS


def test_booking_create_does_not_dedupe_and_external_id_finds_both(client: Client):
    first = client.post(BOOKINGS, booking_body("dp-req-dup")).json()
    second = client.post(BOOKINGS, booking_body("dp-req-dup")).json()
    assert first["id"] != second["id"]
    client.post(BOOKINGS, booking_body("dp-req-other"))
    for path in (BOOKINGS, "/crm/v2/tenant/{t}/bookings"):
        found = client.get(path, externalId="dp-req-dup").json()["data"]
        assert [b["id"] for b in found] == [first["id"], second["id"]]
    assert client.get(BOOKINGS, externalId="never-sent").json()["data"] == []


@pytest.mark.parametrize("field,body", [
    ("externalId", {k: v for k, v in booking_body("x").items() if k != "externalId"}),
    ("isFirstTimeClient", booking_body("x", isFirstTimeClient="yes")),
    ("name", booking_body("x", name=None)),
])
def test_booking_create_rejects_a_body_the_schema_rejects(client: Client, field: str, body: dict):
    assert_validation_error(client.post(BOOKINGS, body), field)
    assert client.admin("tenants/4100100/counts").json()["counts"]["booking"] == 0


def test_booking_create_checks_ids_and_provider(client: Client):
    assert_validation_error(client.post(BOOKINGS, booking_body("x", campaignId=42)), "campaignId")
    unknown_provider = client.post("/crm/v2/tenant/{t}/booking-provider/999/bookings", booking_body("x"))
    assert unknown_provider.status_code == 404 and "999" in unknown_provider.json()["title"]
    not_json = client.http.post(BOOKINGS.format(t=4100100), content=b"{", headers={
        **client.headers(), "Content-Type": "application/json"})
    assert_validation_error(not_json, "body")


def test_lead_create(client: Client):
    response = client.post(LEADS, lead_body())
    assert response.status_code == 200
    lead = response.json()
    assert lead["status"] == "Open" and lead["campaignId"] == 3300401 and lead["leadZip"] == "85006"
    assert client.get(LEADS + f"/{lead['id']}").json() == lead
    assert_validation_error(client.post(LEADS, lead_body(campaignId=None)), "campaignId")
    assert_validation_error(client.post(LEADS, {"campaignId": 3300401}), "summary")


def test_web_booking_and_lead_form_attributions(client: Client):
    booking = client.post(BOOKINGS, booking_body("dp-req-attr")).json()
    lead = client.post(LEADS, lead_body()).json()
    done = client.post("/marketingads/v2/tenant/{t}/web-booking-attributions",
                       {"webSessionData": session(), "bookingId": booking["id"]})
    assert done.status_code == 200 and done.content == b""
    done = client.post("/marketingads/v2/tenant/{t}/web-lead-form-attributions",
                       {"webSessionData": session(), "leadId": lead["id"]})
    assert done.status_code == 200
    stored = client.admin(f"tenants/4100100/records?kind=web_booking_attribution&externalId={booking['id']}").json()
    assert stored["count"] == 1 and stored["records"][0]["request"]["webSessionData"]["gclid"] == "fake-gclid"
    assert_validation_error(client.post("/marketingads/v2/tenant/{t}/web-booking-attributions",
                                        {"webSessionData": {"landingPageUrl": "https://x/"}, "bookingId": 1}),
                            "webSessionData.referrerUrl")
    assert_validation_error(client.post("/marketingads/v2/tenant/{t}/web-lead-form-attributions",
                                        {"webSessionData": session(), "leadId": 123}), "leadId")


def test_job_create_converts_its_booking(client: Client):
    booking = client.post(BOOKINGS, booking_body("dp-req-job")).json()
    response = client.post(JOBS, job_body(bookingId=booking["id"]))
    assert response.status_code == 200
    job = response.json()
    assert job["jobStatus"] == "Scheduled" and job["bookingId"] == booking["id"] and job["appointmentCount"] == 1
    assert client.get(JOBS + f"/{job['id']}").json() == job
    converted = client.get(BOOKINGS + f"/{booking['id']}").json()
    assert converted["status"] == "Converted" and converted["jobId"] == job["id"]


def test_job_create_rejections(client: Client):
    assert_validation_error(client.post(JOBS, {k: v for k, v in job_body().items() if k != "campaignId"}),
                            "campaignId")
    wrong_unit = client.post(JOBS, job_body(businessUnitId=1000203))
    assert_validation_error(wrong_unit, "jobTypeId")
    assert "not allowed in business unit 1000203" in wrong_unit.json()["errors"]["jobTypeId"][0]
    backwards = job_body(appointments=[{"start": "2026-12-02T18:00:00Z", "end": "2026-12-02T16:00:00Z"}])
    assert_validation_error(client.post(JOBS, backwards), "appointments.0.end")


def test_capacity_answers_from_the_seeded_units(client: Client):
    question = {"startsOnOrAfter": "2026-12-01T07:00:00Z", "endsOnOrBefore": "2026-12-03T07:00:00Z",
                "jobTypeId": 2100312, "skillBasedAvailability": False}
    before = client.post("/dispatch/v2/tenant/{t}/capacity", question).json()
    slots = before["availabilities"]
    assert len(slots) == 10 and all(slot["businessUnitIds"] == [1000203] for slot in slots)
    assert slots[0]["start"] == "2026-12-01T08:00:00" and slots[0]["startUtc"] == "2026-12-01T15:00:00.000Z"
    client.post(BOOKINGS, booking_body("dp-req-cap", start="2026-12-01T15:30:00Z"))
    after = client.post("/dispatch/v2/tenant/{t}/capacity", question).json()["availabilities"]
    assert after[0]["openAvailability"] == max(0.0, slots[0]["openAvailability"] - 1)
    assert after[1:] == slots[1:]
    assert_validation_error(client.post("/dispatch/v2/tenant/{t}/capacity", {**question, "jobTypeId": 5}), "jobTypeId")
    assert_validation_error(client.post("/dispatch/v2/tenant/{t}/capacity",
                                        {k: v for k, v in question.items() if k != "endsOnOrBefore"}),
                            "endsOnOrBefore")


def test_unknown_paths_and_methods(client: Client):
    assert client.get("/crm/v2/tenant/{t}/nothing-here").status_code == 404
    wrong_method = client.http.delete(LEADS.format(t=4100100), headers=client.headers())
    assert wrong_method.status_code == 405 and "GET, POST" in wrong_method.json()["title"]


def test_concurrent_creates_get_distinct_ids(server, client: Client):
    import threading

    import httpx

    headers = client.headers()
    ids: list[int] = []
    lock = threading.Lock()

    def send(number: int) -> None:
        with httpx.Client(base_url=server.url, headers=headers, timeout=10) as http:
            for index in range(20):
                response = http.post(BOOKINGS.format(t=4100100), json=booking_body(f"dp-req-{number}-{index}"))
                with lock:
                    ids.append(response.json()["id"])

    threads = [threading.Thread(target=send, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(ids) == 120 and len(set(ids)) == 120
    assert client.admin("tenants/4100100/counts").json()["counts"]["booking"] == 120


def test_chunked_bodies_and_oversized_ones(client: Client):
    def chunks():
        yield b'{"campaignId": 3300401, '
        yield b'"summary": "sent in chunks"}'

    chunked = client.http.post(LEADS.format(t=4100100), content=chunks(),
                               headers={**client.headers(), "Content-Type": "application/json"})
    assert chunked.status_code == 200 and chunked.json()["summary"] == "sent in chunks"
    huge = client.http.post(LEADS.format(t=4100100), content=b"x" * 1_000_001,
                            headers={**client.headers(), "Content-Type": "application/json"})
    assert huge.status_code == 400 and "at most" in huge.json()["title"]
