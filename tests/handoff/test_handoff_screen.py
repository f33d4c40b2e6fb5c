"""The handoff screen over HTTP: linked from the request, readable by every role, escaped, honest about gates."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pagetojob.core import clock
from pagetojob.readiness.models import GateRecord

from .factory import bind_fully, payload, store

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored(world):
    bind_fully(world)
    return store(world, payload(notes="Dog in yard <script>alert(1)</script>"))


def test_the_request_page_links_to_its_handoff_and_the_screen_shows_the_dry_run(world, stored, client_for):
    client = client_for(world.viewer)
    detail = client.get(reverse("booking-request", args=[world.workspace.key, stored.pk])).content.decode()
    url = reverse("booking-handoff", args=[world.workspace.key, stored.pk])
    assert url in detail
    page = client.get(url).content.decode()
    assert "Dry run — nothing is sent until the ServiceTitan gates hold" in page
    assert "ServiceTitan app approval" in page and "Customer authorization" in page
    assert stored.idempotency_key in page
    assert "https://api-integration.servicetitan.io/crm/v2/tenant/{tenant}/booking-provider/7001/bookings" in page
    assert "Bearer ••••" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert "Summer AC Demand" in page and "page binding when submitted (approved)" in page


def test_lead_mode_shows_the_lead_and_its_lead_form_attribution(world, stored, client_for):
    url = reverse("booking-handoff", args=[world.workspace.key, stored.pk]) + "?mode=lead"
    page = client_for(world.viewer).get(url).content.decode()
    assert "/crm/v2/tenant/{tenant}/leads" in page and "web-lead-form-attributions" in page
    assert "/bookings" not in page
    assert "Lead handoff to ServiceTitan is" in page and "leads have no <code>externalId</code>" in page


def test_a_recorded_gate_is_no_longer_listed_as_missing(world, stored, client_for):
    GateRecord.objects.create(workspace=world.workspace, gate="customer_authorization", satisfied=True,
                              evidence="Authorized by the office manager", recorded_at=clock.now())
    page = client_for(world.owner).get(reverse("booking-handoff", args=[world.workspace.key, stored.pk]))
    text = page.content.decode()
    assert "ServiceTitan app approval" in text and "<b>Customer authorization</b>" not in text
