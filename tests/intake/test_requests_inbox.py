"""Operators see every request with its source and mark what was done by hand."""

from __future__ import annotations

import json

import pytest

from pagetojob.accounts.models import AuditEntry
from pagetojob.handoff.models import SyncJob, SyncState
from pagetojob.intake.models import BookingRequest, IntakeSettings, RequestStatus

from .test_intake_api import URL, payload


@pytest.fixture
def stored(world, client):
    IntakeSettings.objects.create(site=world.page.site, notification_emails=["office@acme.test"])
    client.post(URL, json.dumps(payload()), content_type="application/json")
    client.logout()
    return BookingRequest.objects.get()


@pytest.mark.django_db
def test_inbox_lists_and_shows_the_source_escaped(world, stored, client_for):
    client = client_for(world.viewer)
    listing = client.get("/w/acme-air/requests/").content.decode()
    assert "Jamie Rivera" in listing and "Phoenix Metro" in listing
    detail = client.get(f"/w/acme-air/requests/{stored.pk}/").content.decode()
    assert "Summer AC Demand" in detail and "Cj0KCQ" in detail
    assert "&lt;b&gt;air&lt;/b&gt;" in detail and "<b>air</b>" not in detail
    assert "Held because" in detail


@pytest.mark.django_db
def test_manual_complete_needs_a_note_and_completes_the_handoff(world, stored, client_for):
    client = client_for(world.operator)
    url = f"/w/acme-air/requests/{stored.pk}/status/"
    page = client.post(url, {"status": "manual_complete", "note": ""}, follow=True).content.decode()
    assert "manual-complete needs a note" in page
    client.post(url, {"status": "manual_complete", "note": "Booked job 4411 by phone"})
    stored.refresh_from_db()
    assert stored.status == RequestStatus.MANUAL_COMPLETE and stored.completed_by == world.operator
    assert SyncJob.objects.get().state == SyncState.MANUAL_COMPLETE
    assert AuditEntry.objects.filter(action="request.status", actor=world.operator).exists()


@pytest.mark.django_db
def test_viewers_cannot_act_and_outsiders_cannot_see(world, stored, client_for):
    viewer = client_for(world.viewer)
    assert viewer.post(f"/w/acme-air/requests/{stored.pk}/status/", {"status": "spam"}).status_code == 403
    outsider = client_for(world.outsider)
    assert outsider.get(f"/w/acme-air/requests/{stored.pk}/").status_code == 404
    assert outsider.get(f"/w/rival-plumbing/requests/{stored.pk}/").status_code == 404
    assert "Jamie" not in outsider.get("/w/rival-plumbing/requests/").content.decode()
