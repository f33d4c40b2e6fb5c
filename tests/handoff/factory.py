"""Booking requests stored the way visitors store them (through the intake path), over a fully bound page."""

from __future__ import annotations

from typing import Any

from pagetojob.intake import submissions
from pagetojob.intake.models import BookingRequest, IntakeSettings
from pagetojob.sites.models import Binding, BindingStatus
from pagetojob.taxonomy.models import BookingProvider, Campaign, PricebookService, Zone

FULL_CONTEXT = {
    "landing_page": "https://acme.test/ac-repair?utm_source=google&utm_medium=cpc", "referrer": "https://www.google.com/",
    "utm_source": "google", "utm_medium": "cpc", "utm_campaign": "summer-ac", "utm_term": "ac repair phoenix",
    "utm_content": "ad-2", "gclid": "Cj0KCQiA-gclid", "gbraid": "0AAAAA-gbraid", "wbraid": "wbraid-1",
    "fbclid": "IwAR-fbclid", "msclkid": "msclkid-9", "ga_client_id": "123.456",
    "first_touch": {"url": "https://acme.test/?utm_source=google", "referrer": "https://www.google.com/",
                    "at": "2026-11-01T10:00:00Z"},
}


def payload(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "submission_id": "sub-handoff-0001", "page_url": "https://acme.test/ac-repair", "service": "AC Diagnostic",
        "urgency": "today", "preferred_date": "", "preferred_window": "morning", "name": "Jamie Rivera",
        "phone": "(602) 555-0148", "email": "jamie@example.com",
        "address": {"street": "1 Main St", "unit": "Apt 4", "city": "Phoenix", "state": "AZ", "zip": "85004"},
        "notes": "AC blowing warm air", "consent_sms": True, "consent_email": True, "membership_interest": True,
        "customer_type": "new", "context": dict(FULL_CONTEXT),
    }
    body.update(overrides)
    return body


def minimal_payload(**overrides: Any) -> dict[str, Any]:
    """Only what the form requires: a name, a way to reach the visitor and a ZIP."""
    body: dict[str, Any] = {"submission_id": "sub-handoff-min1", "name": "Pat Lee", "phone": "602-555-0199",
                            "address": {"zip": "85004"}}
    body.update(overrides)
    return body


def bind_fully(world) -> None:
    """Approve the AC page's binding with every object, each with a ServiceTitan id."""
    IntakeSettings.objects.get_or_create(site=world.page.site, defaults={"notification_emails": ["office@acme.test"]})
    provider = BookingProvider.objects.create(workspace=world.workspace, st_id=7001, name="Website", kind="V2Api")
    binding = Binding.objects.get(page=world.page)
    binding.status = BindingStatus.APPROVED
    binding.job_type = world.ac_repair
    binding.business_unit = world.hvac
    binding.campaign = Campaign.objects.get(workspace=world.workspace, st_id=301)
    binding.booking_provider = provider
    binding.save()
    binding.zones.set(Zone.objects.filter(workspace=world.workspace))
    binding.pricebook_services.set(PricebookService.objects.filter(workspace=world.workspace))


def store(world, body: dict[str, Any]) -> BookingRequest:
    stored = submissions.submit(world.page.site, body)
    return BookingRequest.objects.select_related("workspace", "zone", "page").get(pk=stored.request.pk)
