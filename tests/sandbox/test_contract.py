"""What the sandbox answers validates against the official response schemas (needs the OpenAPI documents)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from .conftest import BOOKINGS, Client, booking_body, require_openapi_dir
from .test_writes import job_body, lead_body


def response_validator(document: str, template: str, method: str, status: str = "200") -> Draft202012Validator:
    spec = json.loads((require_openapi_dir() / document).read_text(encoding="utf-8"))
    schema = spec["paths"][template][method]["responses"][status]["content"]["application/json"]["schema"]
    return Draft202012Validator({**schema, "components": spec["components"]})


def assert_valid(validator: Draft202012Validator, body: Any) -> None:
    problems = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(body)]
    assert problems == []


LISTS = [
    ("settings-v2.json", "/tenant/{tenant}/business-units", "/settings/v2/tenant/{t}/business-units"),
    ("settings-v2.json", "/tenant/{tenant}/export/business-units", "/settings/v2/tenant/{t}/export/business-units"),
    ("jpm-v2.json", "/tenant/{tenant}/job-types", "/jpm/v2/tenant/{t}/job-types"),
    ("jpm-v2.json", "/tenant/{tenant}/export/jobs", "/jpm/v2/tenant/{t}/export/jobs"),
    ("marketing-v2.json", "/tenant/{tenant}/campaigns", "/marketing/v2/tenant/{t}/campaigns"),
    ("dispatch-v2.json", "/tenant/{tenant}/zones", "/dispatch/v2/tenant/{t}/zones"),
    ("pricebook-v2.json", "/tenant/{tenant}/services", "/pricebook/v2/tenant/{t}/services"),
    ("pricebook-v2.json", "/tenant/{tenant}/export/services", "/pricebook/v2/tenant/{t}/export/services"),
    ("memberships-v2.json", "/tenant/{tenant}/membership-types", "/memberships/v2/tenant/{t}/membership-types"),
    ("memberships-v2.json", "/tenant/{tenant}/export/membership-types",
     "/memberships/v2/tenant/{t}/export/membership-types"),
    ("memberships-v2.json", "/tenant/{tenant}/recurring-service-types",
     "/memberships/v2/tenant/{t}/recurring-service-types"),
    ("memberships-v2.json", "/tenant/{tenant}/export/recurring-service-types",
     "/memberships/v2/tenant/{t}/export/recurring-service-types"),
    ("crm-v2.json", "/tenant/{tenant}/booking-provider-tags", "/crm/v2/tenant/{t}/booking-provider-tags"),
    ("accounting-v2.json", "/tenant/{tenant}/export/invoices", "/accounting/v2/tenant/{t}/export/invoices"),
    ("accounting-v2.json", "/tenant/{tenant}/export/payments", "/accounting/v2/tenant/{t}/export/payments"),
]


@pytest.mark.parametrize("document,template,path", LISTS, ids=[row[2].split("{t}")[1] for row in LISTS])
def test_list_and_export_answers_match_the_documented_shape(client: Client, document: str, template: str, path: str):
    body = client.get(path, active="Any", includeTotal="true") if "export" not in path else client.get(path)
    assert body.status_code == 200 and body.json()["data"]
    assert_valid(response_validator(document, template, "get"), body.json())


def test_create_answers_match_the_documented_shape(client: Client):
    booking = client.post(BOOKINGS, booking_body("dp-req-contract"))
    assert_valid(response_validator("crm-v2.json", "/tenant/{tenant}/booking-provider/{booking_provider}/bookings",
                                     "post"), booking.json())
    listed = client.get("/crm/v2/tenant/{t}/bookings", externalId="dp-req-contract")
    assert_valid(response_validator("crm-v2.json", "/tenant/{tenant}/bookings", "get"), listed.json())
    one = client.get(BOOKINGS + f"/{booking.json()['id']}")
    assert_valid(response_validator("crm-v2.json", "/tenant/{tenant}/booking-provider/{booking_provider}/bookings/{id}",
                                    "get"), one.json())
    lead = client.post("/crm/v2/tenant/{t}/leads", lead_body())
    assert_valid(response_validator("crm-v2.json", "/tenant/{tenant}/leads", "post"), lead.json())
    assert_valid(response_validator("crm-v2.json", "/tenant/{tenant}/leads", "get"),
                 client.get("/crm/v2/tenant/{t}/leads").json())
    job = client.post("/jpm/v2/tenant/{t}/jobs", job_body())
    assert_valid(response_validator("jpm-v2.json", "/tenant/{tenant}/jobs", "post"), job.json())
    assert_valid(response_validator("jpm-v2.json", "/tenant/{tenant}/jobs", "get"),
                 client.get("/jpm/v2/tenant/{t}/jobs").json())
    assert_valid(response_validator("jpm-v2.json", "/tenant/{tenant}/job-types/{id}", "get"),
                 client.get("/jpm/v2/tenant/{t}/job-types/2100301").json())
    capacity = client.post("/dispatch/v2/tenant/{t}/capacity", {
        "startsOnOrAfter": "2026-12-01T07:00:00Z", "endsOnOrBefore": "2026-12-02T07:00:00Z",
        "skillBasedAvailability": True})
    assert_valid(response_validator("dispatch-v2.json", "/tenant/{tenant}/capacity", "post"), capacity.json())


def test_error_answers_match_the_documented_error_body(client: Client):
    bad = client.post(BOOKINGS, {"source": "x"})
    assert_valid(response_validator("crm-v2.json", "/tenant/{tenant}/booking-provider/{booking_provider}/bookings",
                                    "post", "400"), bad.json())


def test_schema_only_rules_are_enforced_when_the_documents_are_present(client: Client):
    require_openapi_dir()
    wrong_enum = client.post(BOOKINGS, booking_body("x", priority="Whenever"))
    assert wrong_enum.status_code == 400 and "priority" in wrong_enum.json()["errors"]
    wrong_contact = client.post(BOOKINGS, booking_body("x", contacts=[{"type": "Pager", "value": "1"}]))
    assert wrong_contact.status_code == 400 and "contacts.0.type" in wrong_contact.json()["errors"]


def test_membership_types_include_billing_and_recurring_services_only_when_asked(client: Client):
    path = "/memberships/v2/tenant/{t}/membership-types"
    plain = client.get(path, active="Any").json()
    assert all(item["durationBilling"] is None and item["recurringServices"] is None for item in plain["data"])
    full = client.get(path, active="Any", includeDurationBilling="true", includeRecurringServices="true").json()
    assert_valid(response_validator("memberships-v2.json", "/tenant/{tenant}/membership-types", "get"), full)
    club = next(item for item in full["data"] if item["id"] == 6600701)
    assert club["durationBilling"][0]["billingFrequency"] == "Monthly" and club["durationBilling"][0]["billingPrice"]
    assert {item["recurringServiceTypeId"] for item in club["recurringServices"]} == {6700801, 6700802}
