"""The validation protocol over real HTTP against a live server, and the webhook gate it feeds."""

from __future__ import annotations

import threading

import pytest
from django.db import connections
from django.urls import reverse

from pagetojob.readiness.evaluate import Status, evaluate
from pagetojob.readiness.models import GateRecord
from pagetojob.webhooks import validation
from pagetojob.webhooks.models import RejectedDeliveries, WebhookEvent, WebhookValidation

from .conftest import configure

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def receiver_server(transactional_db, settings):
    """A real HTTP server in a thread, started after the test's settings (plain HTTP also with DATABASE_URL)."""
    from pytest_django.live_server_helper import LiveServer

    server = LiveServer("127.0.0.1:0")
    yield server
    server.stop()


@pytest.fixture
def running_worker():
    """A real worker loop in a thread, as `pagetojob worker` runs it."""
    from pagetojob.core import worker

    stop = threading.Event()

    def run() -> None:
        try:
            worker.run_forever("validation-test-worker", poll_seconds=0.05, heartbeat_seconds=1, stop=stop)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield
    stop.set()
    thread.join(timeout=10)


def gate(workspace):
    return next(g for g in evaluate(workspace).gates if g.key == "webhooks")


def validate(client_for, world):
    return client_for(world.owner).post(reverse("readiness-webhooks-validate", args=[world.workspace.key]),
                                        follow=True)


@pytest.mark.parametrize("timestamps", [False, True], ids=["body-only", "with-timestamp"])
def test_validation_passes_end_to_end_and_the_gate_holds(world, client_for, receiver_server, settings,
                                                         running_worker, timestamps):
    settings.PAGETOJOB_BASE_URL = receiver_server.url
    extra = {"timestamp_header": "X-ServiceTitan-Timestamp", "signed_content": "timestamp.body",
             "encoding": "base64"} if timestamps else {}
    configure(world.workspace, world.owner, **extra)
    assert not gate(world.workspace).satisfied

    response = validate(client_for, world)
    assert response.status_code == 200
    run = WebhookValidation.objects.get(workspace=world.workspace)
    assert run.passed, run.steps
    assert [step["name"] for step in run.steps] == list(validation.STEPS)
    assert run.base_url == f"{receiver_server.url}/api/v1/webhooks/servicetitan/acme-air"
    assert "stale" in run.steps[2]["evidence"] or not timestamps
    page = response.content.decode()
    assert "Webhooks validated: every step passed" in page
    assert "Bad signature rejected" in page and "HTTP 401" in page

    holds = gate(world.workspace)
    assert holds.satisfied and holds.recorded_at is not None
    record = GateRecord.objects.get(workspace=world.workspace, gate="webhooks")
    assert record.satisfied and "bad signature rejected" in record.evidence
    # What really happened on the server: one accepted event, processed once; the forgery counted, not stored.
    events = WebhookEvent.objects.filter(workspace=world.workspace)
    assert events.count() == 1
    event = events.get()
    assert event.is_validation and event.duplicates == 1 and event.attempts == 1 and event.outcome == "applied"
    refused = dict(RejectedDeliveries.objects.filter(workspace=world.workspace).values_list("reason", "count"))
    assert refused == ({"invalid_signature": 1, "stale": 1} if timestamps else {"invalid_signature": 1})


def test_without_a_worker_the_protocol_fails_and_the_gate_stays_shut(world, receiver_server):
    configure(world.workspace, world.owner)
    run = validation.run_protocol(world.workspace, receiver_server.url, wait_seconds=1)
    assert not run.passed
    assert [step["passed"] for step in run.steps] == [True, True, True, False]
    assert "is `pagetojob worker` running?" in run.steps[3]["evidence"]
    assert "Validation failed at “event persisted and processed”" in validation.summary(run)


def test_against_a_url_that_is_not_the_receiver_the_protocol_fails(world, receiver_server, running_worker):
    configure(world.workspace, world.owner)
    run = validation.run_protocol(world.workspace, receiver_server.url + "/nowhere", wait_seconds=1)
    assert not run.passed and not run.steps[0]["passed"]
    assert "HTTP 404" in run.steps[0]["evidence"]


def test_the_gate_needs_a_key_evidence_and_a_key_unchanged_since(world, client_for, receiver_server, settings,
                                                                  running_worker):
    settings.PAGETOJOB_BASE_URL = receiver_server.url
    assert "No webhook key is configured" in gate(world.workspace).detail
    # A hand-made record is not evidence: without a key the gate stays shut.
    GateRecord.objects.create(workspace=world.workspace, gate="webhooks", satisfied=True, evidence="trust me",
                              recorded_at=world.workspace.created_at)
    assert not gate(world.workspace).satisfied
    GateRecord.objects.all().delete()

    configure(world.workspace, world.owner)
    assert not gate(world.workspace).satisfied
    assert "webhooks" in {g.key for g in evaluate(world.workspace).capability("webhooks").missing}
    assert gate(world.workspace).status == Status.API_GATED
    validate(client_for, world)
    assert gate(world.workspace).satisfied
    assert all(g.key != "webhooks" for g in evaluate(world.workspace).capability("webhooks").missing)

    configure(world.workspace, world.owner, new_key="a-brand-new-key-0123456789abcdefghijklmnop")
    after_rotation = gate(world.workspace)
    assert not after_rotation.satisfied and "changed after the last validation" in after_rotation.detail
    validate(client_for, world)
    assert gate(world.workspace).satisfied


def test_the_webhook_gate_cannot_be_recorded_by_hand(world, client_for):
    configure(world.workspace, world.owner)
    response = client_for(world.owner).post(reverse("readiness-gate", args=[world.workspace.key]),
                                            {"gate": "webhooks", "satisfied": "1", "evidence": "looks fine"},
                                            follow=True)
    assert "proved by the system" in response.content.decode()
    assert not gate(world.workspace).satisfied


def test_only_managers_may_validate(world, client_for, receiver_server, settings):
    settings.PAGETOJOB_BASE_URL = receiver_server.url
    configure(world.workspace, world.owner)
    response = client_for(world.viewer).post(reverse("readiness-webhooks-validate", args=[world.workspace.key]))
    assert response.status_code == 403
    assert not WebhookValidation.objects.exists()


def test_validating_without_a_key_says_what_to_do(world, client_for, receiver_server, settings):
    settings.PAGETOJOB_BASE_URL = receiver_server.url
    response = validate(client_for, world)
    assert "No webhook key is configured: set one on the webhook settings screen first." in response.content.decode()
    assert not WebhookValidation.objects.exists()
