"""The intake API stores a request with its notification and handoff draft, once, before it answers."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

from pagetojob.accounts.models import OutboundEmail
from pagetojob.core import worker
from pagetojob.handoff.models import SyncJob, SyncState
from pagetojob.intake import hooks
from pagetojob.intake.models import BookingRequest, IntakeSettings, RequestStatus
from pagetojob.sites.models import Binding

URL = "/api/v1/intake/acme/requests"


def payload(**overrides):
    body = {
        "submission_id": "sub-0001-abcdef", "page_url": "https://acme.test/ac-repair", "service": "AC Repair",
        "urgency": "today", "preferred_date": "", "preferred_window": "morning", "name": "Jamie Rivera",
        "phone": "(602) 555-0148", "email": "Jamie@Example.com",
        "address": {"street": "1 Main St", "unit": "", "city": "Phoenix", "state": "AZ", "zip": "85004"},
        "notes": "AC blowing warm <b>air</b>", "consent_sms": True, "consent_email": False,
        "membership_interest": True, "customer_type": "new",
        "context": {"landing_page": "https://acme.test/ac-repair?utm_source=google", "utm_source": "google",
                    "utm_medium": "cpc", "utm_campaign": "Summer AC Demand", "gclid": "Cj0KCQ",
                    "ga_client_id": "123.456", "first_touch": {"url": "https://acme.test/", "at": "2026-11-01"}},
    }
    body.update(overrides)
    return body


def post(client, body):
    return client.post(URL, json.dumps(body), content_type="application/json")


@pytest.fixture
def site(world):
    IntakeSettings.objects.create(site=world.page.site, notification_emails=["office@acme.test"])
    Binding.objects.filter(page=world.page).update(job_type=world.ac_repair, business_unit=world.hvac)
    return world.page.site


@pytest.mark.django_db
def test_a_request_is_stored_with_context_notification_and_held_handoff(world, site, client):
    response = post(client, payload())
    assert response.status_code == 201
    body = response.json()
    request = BookingRequest.objects.get(pk=body["id"])
    assert body["idempotency_key"] == request.idempotency_key and body["status"] == "new"
    assert request.phone == "+16025550148" and request.email == "jamie@example.com"
    assert request.page == world.page and request.job_type == world.ac_repair
    assert request.context["utm_campaign"] == "Summer AC Demand" and request.context["first_touch"]["url"]
    assert request.binding_snapshot["job_type"] == "AC Repair"
    assert request.consent_text["sms"].startswith("Yes, text me")
    assert request.zone.name == "Phoenix Metro"
    assert request.notification.to == "office@acme.test"
    job = SyncJob.objects.get(booking_request=request)
    assert job.state == SyncState.HELD and job.idempotency_key == request.idempotency_key
    assert "ServiceTitan app approval" in job.held_reason


@pytest.mark.django_db
def test_the_same_submission_twice_is_stored_once(world, site, client):
    first = post(client, payload())
    second = post(client, payload(name="Someone Else"))
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert BookingRequest.objects.count() == 1 and SyncJob.objects.count() == 1
    assert OutboundEmail.objects.filter(kind="lead_notification").count() == 1


@pytest.mark.django_db
def test_field_errors_come_back_per_field(world, site, client):
    response = post(client, payload(name="", phone="12", email="nope", urgency="yesterday",
                                    address={"zip": "8500"}, preferred_date="2020-01-01"))
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors["name"] == "Enter your name."
    assert "valid phone number" in errors["phone"]
    assert "valid email address" in errors["email"]
    assert "5-digit ZIP" in errors["address.zip"]
    assert "Choose one of" in errors["urgency"]
    assert "from today" in errors["preferred_date"]
    assert BookingRequest.objects.count() == 0


@pytest.mark.django_db
def test_out_of_area_visitors_are_still_recorded(world, site, client):
    response = post(client, payload(address={"street": "9 Elm", "city": "Flagstaff", "state": "AZ", "zip": "86001"}))
    assert response.status_code == 201
    assert BookingRequest.objects.get().status == RequestStatus.OUT_OF_AREA
    check = client.get("/api/v1/intake/acme/zones", {"zip": "86001"}).json()
    assert check["served"] is False and "don't serve 86001" in check["message"]
    assert client.get("/api/v1/intake/acme/zones", {"zip": "85004"}).json()["served"] is True


@pytest.mark.django_db
def test_nothing_is_stored_when_any_part_fails(world, site, client):
    def broken(request):
        raise RuntimeError("handoff store down")

    hooks.on_request_stored(broken)
    try:
        with pytest.raises(RuntimeError):
            post(client, payload())
    finally:
        hooks._STORED.remove(broken)
    assert BookingRequest.objects.count() == 0
    assert OutboundEmail.objects.count() == 0 and SyncJob.objects.count() == 0


@pytest.mark.django_db
def test_the_worker_delivers_the_office_email(world, site, client, mailoutbox):
    post(client, payload())
    worker.run_once("test-worker")
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["office@acme.test"] and "Jamie Rivera" in message.subject
    stored = BookingRequest.objects.get()
    assert "Page's binding" in message.body and "job type AC Repair" in message.body
    link = next(line for line in message.body.splitlines() if "Open it in PageToJob" in line).split(": ", 1)[1]
    assert f"/w/acme-air/requests/by-key/{stored.idempotency_key}/" in link
    client.force_login(world.owner)
    landing = client.get(urlsplit(link).path)
    assert landing.status_code == 302 and landing["Location"] == f"/w/acme-air/requests/{stored.pk}/"
    assert BookingRequest.objects.get().notification.sent_at is not None


@pytest.mark.django_db
def test_unknown_site_and_bad_json(world, client):
    assert client.post("/api/v1/intake/nope/requests", "{}", content_type="application/json").status_code == 404
    IntakeSettings.objects.create(site=world.page.site)
    response = client.post(URL, "not json", content_type="application/json")
    assert response.status_code == 400 and response.json()["errors"]["body"] == "Send the request as JSON."


@pytest.mark.django_db
def test_the_zip_check_answers_with_the_call_to_action_for_the_visitors_zone(world, site, client):
    from pagetojob.taxonomy.models import Zone, ZoneState

    Zone.objects.create(workspace=world.workspace, st_id=991, name="East Valley", zips=["85142"],
                        state=ZoneState.PAUSED)
    Zone.objects.create(workspace=world.workspace, st_id=992, name="West Valley", zips=["85326"],
                        state=ZoneState.EMERGENCY_ONLY)
    page_url = "https://acme.test/ac-repair"
    paused = client.get("/api/v1/intake/acme/zones", {"zip": "85142", "page_url": page_url}).json()
    assert paused["state"] == "paused" and paused["served"] is False
    assert paused["cta"]["mode"] == "paused" and paused["cta"]["show_form"] is True
    emergency = client.get("/api/v1/intake/acme/zones", {"zip": "85326", "page_url": page_url}).json()
    assert emergency["state"] == "emergency_only" and emergency["cta"]["mode"] == "call_now"
    served = client.get("/api/v1/intake/acme/zones", {"zip": "85004", "page_url": page_url}).json()
    assert served["served"] is True and served["cta"]["mode"] not in ("paused", "call_now")
    # A paused ZIP is still a request the office hears about, stored with the zone's state.
    response = post(client, payload(address={"street": "9 Elm", "city": "Queen Creek", "state": "AZ", "zip": "85142"}))
    assert response.status_code == 201
    assert BookingRequest.objects.get().zone_state == ZoneState.PAUSED
