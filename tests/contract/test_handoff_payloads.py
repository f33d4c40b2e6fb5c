"""Every body the handoff builder can produce validates against ServiceTitan's official request schemas."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from pagetojob.core import clock
from pagetojob.handoff.builder import build_handoff
from pagetojob.handoff.job_rules import JobInputs
from tests.handoff.factory import FULL_CONTEXT, bind_fully, minimal_payload, payload, store

from .openapi_schemas import errors, operation, path_pattern

DOCUMENTS = {
    "Bookings_Create": "crm-v2.json", "Leads_Create": "crm-v2.json",
    "WebBookingAttributions_Create": "marketing-ads-v2.json", "WebLeadFormAttributions_Create": "marketing-ads-v2.json",
    "Jobs_Create": "jpm-v2.json",
}
URGENCIES = ["emergency", "today", "this_week", "flexible"]
EARLIER_RESPONSE = {"id": 61234567890}


def _request(world, size: str, urgency: str, utms: bool, number: int):
    soon = (clock.now().date() + timedelta(days=3)).isoformat()
    if size == "full":
        context = dict(FULL_CONTEXT) if utms else {"landing_page": "https://acme.test/ac-repair"}
        body = payload(submission_id=f"sub-contract-{number:04d}", urgency=urgency, preferred_date=soon,
                       context=context)
    else:
        context = {"utm_source": "google", "utm_campaign": "Summer AC Demand", "gclid": "abc"} if utms else {}
        body = minimal_payload(submission_id=f"sub-contract-{number:04d}", urgency=urgency, context=context,
                               page_url="https://acme.test/ac-repair")
    return store(world, body)


def assert_valid(step) -> None:
    document = DOCUMENTS[step.operation_id]
    method, template, _ = operation(document, step.operation_id)
    assert step.method == method
    assert path_pattern(template).match(step.path), f"{step.path} does not match {template}"
    body = step.resolve([EARLIER_RESPONSE] * (step.step - 1))
    assert errors(document, step.operation_id, body) == []


@pytest.mark.django_db
@pytest.mark.parametrize("mode", ["booking", "lead"])
@pytest.mark.parametrize("size", ["full", "minimal"])
@pytest.mark.parametrize("utms", [True, False], ids=["utms", "no-utms"])
@pytest.mark.parametrize("urgency", URGENCIES)
def test_booking_lead_and_attribution_bodies_match_the_official_schemas(world, mode, size, utms, urgency):
    bind_fully(world)
    request = _request(world, size, urgency, utms, 1)
    plan = build_handoff(request, tenant_id=1234567, prefer_leads=mode == "lead")
    expected = (["Bookings_Create", "WebBookingAttributions_Create"] if mode == "booking"
                else ["Leads_Create", "WebLeadFormAttributions_Create"])
    assert [step.operation_id for step in plan.requests] == expected
    for step in plan.requests:
        assert_valid(step)


@pytest.mark.django_db
def test_a_request_from_an_unbound_page_still_makes_a_valid_booking(world):
    request = store(world, minimal_payload(page_url="https://acme.test/not-a-known-page"))
    plan = build_handoff(request)
    assert [step.operation_id for step in plan.requests] == ["Bookings_Create", "WebBookingAttributions_Create"]
    for step in plan.requests:
        assert_valid(step)


@pytest.mark.django_db
@pytest.mark.parametrize("urgency", URGENCIES)
@pytest.mark.parametrize("with_booking", [True, False], ids=["from-booking", "direct"])
def test_the_direct_job_body_matches_the_official_schema(world, urgency, with_booking):
    bind_fully(world)
    day = clock.now().date() + timedelta(days=2)
    request = store(world, payload(submission_id="sub-contract-job1", urgency=urgency, preferred_date=day.isoformat()))
    capacity = [{"startUtc": f"{day - timedelta(days=1)}T00:00:00Z", "endUtc": f"{day + timedelta(days=1)}T23:59:00Z",
                 "businessUnitIds": [101], "isAvailable": True, "openAvailability": 6.0}]
    inputs = JobInputs(customer_id=880001, location_id=880002, capacity=capacity,
                       booking_id=61234567890 if with_booking else None)
    plan = build_handoff(request, tenant_id=1234567, job_inputs=inputs, approve_job_writes=True)
    assert plan.job_create.check.reasons == []
    assert plan.job_create.request is not None
    assert_valid(plan.job_create.request)


def test_the_validator_rejects_a_body_that_breaks_the_schema():
    """The check above could not pass by accident: a wrong body is reported field by field."""
    found = errors("crm-v2.json", "Bookings_Create", {"name": "x", "source": "y", "summary": "z",
                                                       "isFirstTimeClient": "yes", "priority": "Soon",
                                                       "start": str(date(2026, 1, 1))})
    assert any("externalId" in message for message in found)
    assert any(message.startswith("isFirstTimeClient") for message in found)
    assert any(message.startswith("priority") for message in found)
    assert any(message.startswith("start") for message in found)


@pytest.mark.django_db
@pytest.mark.parametrize("mode", ["booking", "lead"])
def test_the_lookup_for_an_outcome_unknown_retry_uses_a_documented_list_operation(world, mode):
    from urllib.parse import parse_qs, urlsplit

    bind_fully(world)
    plan = build_handoff(_request(world, "full", "today", True, 7), tenant_id=1234567, prefer_leads=mode == "lead")
    lookup = urlsplit(plan.requests[0].lookup_path)
    method, template, found = operation("crm-v2.json", "Bookings_GetList2" if mode == "booking" else "Leads_GetList")
    assert method == "GET" and path_pattern(template).match(lookup.path)
    documented = {parameter["name"] for parameter in found["parameters"] if parameter.get("in") == "query"}
    query = parse_qs(lookup.query)
    assert set(query) <= documented
    if mode == "booking":
        assert query["externalId"] == [plan.idempotency_key]


def test_openapi_3_0_nullable_fields_accept_null_and_still_check_the_type():
    from jsonschema import Draft202012Validator

    from .openapi_schemas import _nullable_to_31

    schema = _nullable_to_31({"type": "object", "properties": {
        "start": {"type": "string", "nullable": True},
        "priority": {"type": "string", "enum": ["Low", "High"], "nullable": True},
        "address": {"allOf": [{"type": "object", "required": ["zip"]}], "nullable": True}}})
    validator = Draft202012Validator(schema)
    assert validator.is_valid({"start": None, "priority": None, "address": None})
    assert not validator.is_valid({"start": 5})
    assert not validator.is_valid({"priority": "Soon"})
    assert not validator.is_valid({"address": {}})
