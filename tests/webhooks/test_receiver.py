"""The receiver: dedupe, size cap, what is stored with an event, and answers for bad input."""

from __future__ import annotations

import json

import pytest
from django.test import override_settings

from pagetojob.core import worker
from pagetojob.sandbox import webhook_sender as sandbox
from pagetojob.webhooks.models import EventOutcome, RejectedDeliveries, TitanRecord, WebhookEvent

from .conftest import SECRET, configure, deliver, url

pytestmark = pytest.mark.django_db


def test_a_repeated_event_id_is_acknowledged_but_stored_and_processed_once(world, client, endpoint):
    event = sandbox.job_event("completed", 555, booking_id=44, event_id="evt-dup")
    first = deliver(client, world.workspace, event)
    worker.run_once("test-worker")
    again = deliver(client, world.workspace, event)
    third = deliver(client, world.workspace, event)
    worker.run_once("test-worker")
    assert first.json()["duplicate"] is False
    assert again.status_code == third.status_code == 200
    assert again.json() == {"accepted": True, "duplicate": True, "event_id": "evt-dup"}
    stored = WebhookEvent.objects.get(workspace=world.workspace)
    assert stored.duplicates == 2 and stored.attempts == 1 and stored.outcome == EventOutcome.APPLIED
    assert TitanRecord.objects.get(workspace=world.workspace).events_applied == 1


def test_the_same_event_id_in_two_workspaces_is_two_events(world, client, endpoint):
    configure(world.other)
    event = sandbox.job_event("completed", 555, event_id="evt-shared")
    assert deliver(client, world.workspace, event).json()["duplicate"] is False
    assert deliver(client, world.other, event).json()["duplicate"] is False
    assert WebhookEvent.objects.count() == 2


def test_an_event_without_an_id_is_known_by_its_bytes(world, client, endpoint):
    body = json.dumps({"eventType": "Job.Completed", "data": {"id": 9, "jobStatus": "Completed"}}).encode()
    event = sandbox.Event("", "Job.Completed", body)
    assert deliver(client, world.workspace, event).json()["duplicate"] is False
    assert deliver(client, world.workspace, event).json()["duplicate"] is True
    assert WebhookEvent.objects.get().event_id.startswith("sha256:")


@override_settings(PAGETOJOB_WEBHOOK_MAX_BYTES=2048)
def test_bodies_over_the_size_cap_are_refused_and_counted(world, client, endpoint):
    big = sandbox.make_event("Job.Completed", {"id": 1, "notes": "x" * 3000}, event_id="evt-big")
    response = deliver(client, world.workspace, big)
    assert response.status_code == 413
    assert "2048 bytes" in response.json()["error"]
    small = sandbox.make_event("Job.Completed", {"id": 1, "notes": "x" * 100}, event_id="evt-small")
    assert deliver(client, world.workspace, small).status_code == 200
    assert list(WebhookEvent.objects.values_list("event_id", flat=True)) == ["evt-small"]
    assert RejectedDeliveries.objects.get(workspace=world.workspace, reason="too_large").count == 1


def test_the_size_cap_is_checked_without_a_content_length_too(world, endpoint, settings):
    from pagetojob.webhooks import receiver

    settings.PAGETOJOB_WEBHOOK_MAX_BYTES = 100
    receipt = receiver.receive(world.workspace.key, {}, lambda: b"{" + b" " * 200 + b"}", None)
    assert receipt.status == 413


def test_stored_headers_keep_the_signature_but_never_credentials(world, client, endpoint):
    event = sandbox.job_event("completed", 1, event_id="evt-headers")
    deliver(client, world.workspace, event, extra_headers={"Authorization": "Bearer st-token-123",
                                                            "ST-App-Key": "ak1.secret", "X-Trace": "abc"})
    headers = WebhookEvent.objects.get().headers
    assert headers["Authorization"] == headers["St-App-Key"] == "(removed)"
    assert headers["X-Trace"] == "abc"
    assert "X-Servicetitan-Signature" in headers
    assert "st-token-123" not in json.dumps(headers) and SECRET not in json.dumps(headers)


def test_unknown_workspace_is_404_and_unconfigured_is_503(world, client):
    event = sandbox.job_event("completed", 1)
    assert client.post("/api/v1/webhooks/servicetitan/nobody", event.body,
                       content_type="application/json").status_code == 404
    response = deliver(client, world.workspace, event)
    assert response.status_code == 503
    assert "No webhook key" in response.json()["error"]
    assert RejectedDeliveries.objects.get(workspace=world.workspace).reason == "not_configured"


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b"\xff\xfe", b'"string"'])
def test_a_signed_body_that_is_not_a_json_object_is_refused_with_400(world, client, endpoint, body):
    response = deliver(client, world.workspace, sandbox.Event("x", "", body))
    assert response.status_code == 400
    assert not WebhookEvent.objects.exists()


def test_the_answer_comes_before_processing(world, client, endpoint):
    deliver(client, world.workspace, sandbox.booking_event("converted", 7, "p2j-x", job_id=8))
    event = WebhookEvent.objects.get()
    assert event.outcome == EventOutcome.PENDING and event.work_state == "queued"
    assert not TitanRecord.objects.exists()


def test_get_is_not_allowed(world, client, endpoint):
    assert client.get(url(world.workspace)).status_code == 405


def test_nul_characters_in_ids_and_fields_are_stored_not_refused_by_the_database(world, client, endpoint):
    """JSON may carry \\u0000 escaped; PostgreSQL text cannot hold it, so it is replaced, never a 500."""
    body = json.dumps({"eventId": "evt-\x00-nul", "eventType": "Booking.Accepted\x00",
                       "data": {"id": 77, "externalId": "p2j-\x00", "status": "Accepted"}}).encode()
    response = deliver(client, world.workspace, sandbox.Event("", "", body),
                       extra_headers={"X-Trace": "a"})
    assert response.status_code == 200
    assert deliver(client, world.workspace, sandbox.Event("", "", body)).json()["duplicate"] is True
    worker.run_once("test-worker")
    event = WebhookEvent.objects.get()
    assert event.event_id == "evt-\ufffd-nul" and event.outcome == EventOutcome.APPLIED
    assert TitanRecord.objects.get().external_id == "p2j-\ufffd"
