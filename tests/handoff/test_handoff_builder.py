"""The handoff plan: mapped objects and where they came from, warnings, keys, bodies, masking and job rules."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from pagetojob.core import clock
from pagetojob.handoff.builder import MASK, build_handoff
from pagetojob.handoff.job_rules import JobInputs
from pagetojob.handoff.payloads import Appointment
from pagetojob.intake.models import BookingRequest
from pagetojob.sites.models import Binding, BindingStatus
from pagetojob.taxonomy.models import BookingProvider, Campaign, Zone, ZoneState

from .factory import bind_fully, minimal_payload, payload, store

pytestmark = pytest.mark.django_db


@pytest.fixture
def bound(world):
    bind_fully(world)
    return world


def codes(plan) -> set[str]:
    return {warning.code for warning in plan.warnings}


def test_an_approved_binding_maps_every_object_with_its_id_and_source(bound):
    plan = build_handoff(store(bound, payload()))
    mapped = {item.role: item for item in plan.mapped}
    assert [item.role for item in plan.mapped] == ["business_unit", "job_type", "campaign", "zone", "priority",
                                                   "booking_provider", "pricebook_service"]
    assert (mapped["business_unit"].st_id, mapped["business_unit"].name) == (101, "HVAC Service")
    assert (mapped["job_type"].st_id, mapped["job_type"].name) == (201, "AC Repair")
    assert (mapped["campaign"].st_id, mapped["campaign"].name) == (301, "Summer AC Demand")
    assert mapped["job_type"].source == "page binding when submitted (approved)"
    assert (mapped["zone"].st_id, mapped["zone"].source) == (401, "ZIP 85004 is in this zone")
    assert (mapped["booking_provider"].st_id, mapped["booking_provider"].active) == (7001, True)
    assert mapped["pricebook_service"].name == "AC Diagnostic"
    assert mapped["pricebook_service"].source == "page binding, matching the chosen service"
    assert plan.warnings == []
    assert plan.ids.business_unit_id == 101 and plan.ids.job_type_id == 201 and plan.ids.campaign_id == 301


@pytest.mark.parametrize(("urgency", "priority"), [("emergency", "Urgent"), ("today", "High"),
                                                   ("this_week", "Normal"), ("flexible", "Low")])
def test_priority_comes_from_the_visitors_urgency(bound, urgency, priority):
    plan = build_handoff(store(bound, payload(urgency=urgency)))
    assert plan.mapped_object("priority").name == priority
    assert plan.requests[0].body["priority"] == priority


def test_a_campaign_deactivated_after_submission_is_warned_about_and_left_out(bound):
    request = store(bound, payload())
    Campaign.objects.filter(workspace=bound.workspace, st_id=301).update(active=False)
    plan = build_handoff(request)
    assert plan.mapped_object("campaign").active is False
    assert "campaign_inactive" in codes(plan)
    assert "inactive" in next(w.message for w in plan.warnings if w.code == "campaign_inactive")
    assert "campaignId" not in plan.requests[0].body


def test_an_unknown_page_has_missing_mappings_in_plain_words(bound):
    plan = build_handoff(store(bound, minimal_payload(page_url="https://acme.test/unknown")))
    assert {"no_page", "job_type_missing", "business_unit_missing", "campaign_missing", "address"} <= codes(plan)
    missing = next(w for w in plan.warnings if w.code == "business_unit_missing")
    assert missing.message.startswith("No business unit is mapped")
    assert plan.mapped_object("campaign").source == "not mapped"
    body = plan.requests[0].body
    assert "businessUnitId" not in body and "jobTypeId" not in body and "address" not in body


def test_a_draft_binding_and_a_job_type_outside_the_business_unit_are_warned_about(bound):
    Binding.objects.filter(page=bound.page).update(status=BindingStatus.DRAFT, job_type=bound.drain)
    plan = build_handoff(store(bound, payload()))
    assert {"binding_not_approved", "job_type_not_in_unit"} <= codes(plan)
    assert plan.mapped_object("job_type").source == "page binding when submitted (draft)"


def test_out_of_area_and_zone_states_are_warned_about(bound):
    plan = build_handoff(store(bound, payload(submission_id="sub-out-of-area", address={
        "street": "9 Far Rd", "city": "Flagstaff", "state": "AZ", "zip": "86001"})))
    assert "out_of_area" in codes(plan)
    assert not plan.mapped_object("zone").found
    Zone.objects.filter(workspace=bound.workspace).update(state=ZoneState.PAUSED)
    assert "zone_paused" in codes(build_handoff(store(bound, payload(submission_id="sub-paused-01"))))
    Zone.objects.filter(workspace=bound.workspace).update(state=ZoneState.EMERGENCY_ONLY)
    assert "zone_emergency_only" in codes(build_handoff(store(bound, payload(submission_id="sub-emergonly"))))
    emergency = store(bound, payload(submission_id="sub-emergency1", urgency="emergency"))
    assert "zone_emergency_only" not in codes(build_handoff(emergency))


def test_without_a_chosen_booking_provider_the_booking_is_blocked_and_the_path_shows_a_placeholder(bound):
    Binding.objects.filter(page=bound.page).update(booking_provider=None)
    BookingProvider.objects.create(workspace=bound.workspace, st_id=7002, name="Scheduling Pro")
    plan = build_handoff(store(bound, payload()))
    assert [w.code for w in plan.blocking] == ["booking_provider"]
    assert "/booking-provider/{bookingProvider}/bookings" in plan.requests[0].path
    BookingProvider.objects.filter(st_id=7002).update(active=False)
    setting = build_handoff(BookingRequest.objects.get(pk=plan.booking_request_id), booking_provider_id=7002)
    assert setting.mapped_object("booking_provider").source == "the workspace's booking provider setting"
    assert "/booking-provider/7002/bookings" in setting.requests[0].path
    assert "booking_provider_inactive" in codes(setting)


def test_the_key_and_bodies_are_deterministic_and_the_key_is_the_external_id(bound):
    first = store(bound, payload())
    again = store(bound, payload())  # the same submission sent twice is the same stored request
    assert again.pk == first.pk
    one, two = build_handoff(first), build_handoff(BookingRequest.objects.get(pk=first.pk))
    assert one.idempotency_key == two.idempotency_key == first.idempotency_key
    assert one.requests[0].body["externalId"] == first.idempotency_key
    assert [json.dumps(r.body, sort_keys=True) for r in one.requests] == \
           [json.dumps(r.body, sort_keys=True) for r in two.requests]
    other = build_handoff(store(bound, payload(submission_id="sub-handoff-0002")))
    assert other.idempotency_key != one.idempotency_key


def test_headers_are_masked_and_urls_use_the_tenant_and_base_url_given(bound):
    request = store(bound, payload())
    plan = build_handoff(request)
    for step in plan.requests:
        assert step.headers["Authorization"] == f"Bearer {MASK}" and step.headers["ST-App-Key"] == MASK
        assert step.url.startswith("https://api-integration.servicetitan.io/") and "/tenant/{tenant}/" in step.url
    live = build_handoff(request, tenant_id=998877, base_url="https://api.servicetitan.io/")
    assert live.requests[0].url == "https://api.servicetitan.io/crm/v2/tenant/998877/booking-provider/7001/bookings"
    assert live.requests[1].path == "/marketingads/v2/tenant/998877/web-booking-attributions"


def test_the_attribution_carries_the_source_context_and_the_id_of_the_record_created_first(bound):
    plan = build_handoff(store(bound, payload()))
    attribution = plan.requests[1]
    session = attribution.body["webSessionData"]
    assert session["landingPageUrl"].startswith("https://acme.test/ac-repair?")
    assert (session["utmSource"], session["utmMedium"], session["utmCampaign"]) == ("google", "cpc", "summer-ac")
    assert (session["gclid"], session["googleAnalyticsClientId"]) == ("Cj0KCQiA-gclid", "123.456")
    assert attribution.resolve([{"id": 555}])["bookingId"] == 555
    with pytest.raises(ValueError, match="needs the response of step 1"):
        attribution.resolve([])
    assert "‹id of the booking created in step 1›" in attribution.body_json


def test_leads_need_a_campaign_and_carry_the_visitors_details(bound):
    plan = build_handoff(store(bound, payload()), prefer_leads=True)
    assert [step.operation_id for step in plan.requests] == ["Leads_Create", "WebLeadFormAttributions_Create"]
    lead = plan.requests[0].body
    assert (lead["campaignId"], lead["leadCustomerName"], lead["leadZip"]) == (301, "Jamie Rivera", "85004")
    unbound = build_handoff(store(bound, minimal_payload(page_url="https://acme.test/none")), prefer_leads=True)
    assert unbound.requests == []
    assert [w.code for w in unbound.blocking] == ["lead_campaign"]


def _job_request(bound, **overrides):
    day = clock.now().date() + timedelta(days=2)
    return store(bound, payload(submission_id="sub-job-00001", preferred_date=day.isoformat(), **overrides)), day


def _capacity(day, units=(101,), open_hours=4.0):
    return [{"startUtc": f"{day}T00:00:00Z", "endUtc": f"{day + timedelta(days=1)}T00:00:00Z",
             "businessUnitIds": list(units), "isAvailable": True, "openAvailability": open_hours}]


def test_direct_job_creation_lists_every_reason_it_may_not_run(bound):
    request, _ = _job_request(bound)
    plan = build_handoff(request)
    reasons = " | ".join(plan.job_create.check.reasons)
    assert "not approved" in reasons and "No ServiceTitan customer" in reasons
    assert "No ServiceTitan location" in reasons and "Capacity was not checked" in reasons
    assert plan.job_create.request is None


def test_job_rules_check_business_unit_campaign_and_capacity(bound):
    request, day = _job_request(bound)
    inputs = JobInputs(customer_id=1, location_id=2, capacity=_capacity(day, units=(102,)))
    Binding.objects.filter(page=bound.page).update(job_type=bound.drain)
    Campaign.objects.filter(st_id=301).update(active=False)
    snapshot = dict(request.binding_snapshot, job_type="Drain Cleaning", job_type_st_id=202)
    BookingRequest.objects.filter(pk=request.pk).update(binding_snapshot=snapshot)
    plan = build_handoff(BookingRequest.objects.get(pk=request.pk), job_inputs=inputs, approve_job_writes=True)
    reasons = plan.job_create.check.reasons
    assert any("“Drain Cleaning” is not allowed in business unit “HVAC Service”" in r for r in reasons)
    assert any("No campaign with a ServiceTitan id" in r for r in reasons)  # inactive ones are not sent
    assert any(r.startswith("No open capacity covers") for r in reasons)


def test_a_job_inside_capacity_with_approval_gets_its_dry_run_call(bound):
    request, day = _job_request(bound)
    inputs = JobInputs(customer_id=11, location_id=22, capacity=_capacity(day))
    plan = build_handoff(request, job_inputs=inputs, approve_job_writes=True)
    assert plan.job_create.check.reasons == []
    call = plan.job_create.request
    assert call is not None and call.path == "/jpm/v2/tenant/{tenant}/jobs"
    body = call.body
    assert (body["customerId"], body["locationId"], body["businessUnitId"], body["jobTypeId"], body["campaignId"]) \
        == (11, 22, 101, 201, 301)
    appointment = body["appointments"][0]
    assert appointment["start"] == f"{day}T15:00:00Z"  # 8:00 in Phoenix, the morning window's start
    too_small = build_handoff(request, job_inputs=JobInputs(customer_id=11, location_id=22,
                                                            capacity=_capacity(day, open_hours=0.5)),
                              approve_job_writes=True)
    assert too_small.job_create.request is None
    explicit = Appointment(clock.now() + timedelta(days=30), clock.now() + timedelta(days=30, hours=1))
    outside = build_handoff(request, job_inputs=JobInputs(customer_id=11, location_id=22, capacity=_capacity(day),
                                                          appointment=explicit), approve_job_writes=True)
    assert any(r.startswith("No open capacity covers") for r in outside.job_create.check.reasons)


def test_the_approval_flag_switches_direct_jobs_on(bound):
    from pagetojob.readiness import changes

    request, day = _job_request(bound)
    inputs = JobInputs(customer_id=11, location_id=22, capacity=_capacity(day))
    assert not build_handoff(request, job_inputs=inputs).job_create.check.approved
    changes.set_flag(bound.workspace, bound.owner, "approve_direct_jobs", True, "Signed approval on file")
    assert build_handoff(request, job_inputs=inputs).job_create.check.allowed


def test_spam_is_never_handed_off(bound):
    request = store(bound, payload())
    BookingRequest.objects.filter(pk=request.pk).update(status="spam")
    plan = build_handoff(BookingRequest.objects.get(pk=request.pk))
    assert plan.blocking[0].code == "spam"
