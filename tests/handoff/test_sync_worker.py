"""The sync worker against a real sandbox over HTTP: sent once, retried, adopted, reviewed, held and released."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pagetojob.accounts.models import AuditEntry
from pagetojob.core import clock, worker
from pagetojob.handoff import sync
from pagetojob.handoff.models import SyncJob, SyncKind, SyncState
from pagetojob.readiness import changes
from pagetojob.readiness.sandbox import connect_workspace_to_sandbox
from pagetojob.taxonomy.models import BookingProvider, BusinessUnit, Campaign, JobType
from pagetojob.titan import connection as titan_connection
from tests.handoff.factory import bind_fully, payload, store
from tests.titan.conftest import APP_KEY, CLIENT_ID, CLIENT_SECRET, PROVIDER, TENANT

pytestmark = pytest.mark.django_db


@pytest.fixture
def fast_retries(settings):
    settings.SYNC_RETRY_BASE_SECONDS = 0.0
    settings.ST_TIMEOUT_SECONDS = 0.5


@pytest.fixture
def connected(world, sandbox, fast_retries):
    """Acme bound to the sandbox's booking provider, connected to the sandbox with every gate, a worker beating."""
    bind_fully(world)
    match_sandbox_ids(world)
    connect_workspace_to_sandbox(world.workspace, world.owner, base_url=sandbox.url, tenant_id=TENANT, app_key=APP_KEY,
                                 client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    beat()
    return world


def match_sandbox_ids(world) -> None:
    """Acme's Titan Map names the sandbox tenant's objects (the demo seed's HVAC Service, AC Repair, campaign)."""
    BookingProvider.objects.filter(workspace=world.workspace).update(st_id=PROVIDER)
    BusinessUnit.objects.filter(pk=world.hvac.pk).update(st_id=1000201)
    JobType.objects.filter(pk=world.ac_repair.pk).update(st_id=2100301)
    Campaign.objects.filter(workspace=world.workspace, st_id=301).update(st_id=3300401)


def beat():
    worker.beat("test-worker", clock.now(), 0)


def run_due():
    """One worker pass, first making every retrying job due now (the test does not wait out backoff)."""
    SyncJob.objects.filter(state=SyncState.RETRYING).update(run_after=clock.now() - timedelta(seconds=1))
    return worker.run_once("test-worker")


def booking_job(request) -> SyncJob:
    return SyncJob.objects.get(booking_request=request, kind=SyncKind.BOOKING_HANDOFF)


def test_without_gates_the_job_is_held_and_nothing_is_sent(world, sandbox):
    bind_fully(world)
    request = store(world, payload())
    job = booking_job(request)
    assert job.state == SyncState.HELD and "Customer authorization" in job.held_reason
    worker.run_once("test-worker")
    job.refresh_from_db()
    assert job.state == SyncState.HELD and job.attempts == 0
    assert sandbox.records(kind="booking") == []


def test_a_request_becomes_one_booking_with_its_external_id_then_its_attribution(connected, sandbox):
    request = store(connected, payload())
    job = booking_job(request)
    assert job.state == SyncState.DRAFT
    run_due()
    job.refresh_from_db()
    bookings = sandbox.records(kind="booking", externalId=request.idempotency_key)
    assert job.state == SyncState.SENT, job.last_error
    assert len(bookings) == 1 and job.titan_id == bookings[0]["id"] and job.environment == "sandbox"
    assert "office will confirm" in job.customer_status and "booked" not in job.customer_status.lower()
    request.refresh_from_db()
    assert request.status == "handed_off"
    [attempt] = job.attempts_log.all()
    assert attempt.outcome == "sent" and attempt.status_code == 200 and attempt.method == "POST"
    assert CLIENT_SECRET not in str(attempt.request_body) + attempt.response_summary

    attribution = SyncJob.objects.get(booking_request=request, kind=SyncKind.ATTRIBUTION_POST)
    assert attribution.state == SyncState.QUEUED
    run_due()
    attribution.refresh_from_db()
    assert attribution.state == SyncState.SENT, attribution.last_error
    [posted] = sandbox.records(kind="web_booking_attribution")
    assert posted["body"]["bookingId"] == job.titan_id
    assert posted["body"]["webSessionData"]["utmCampaign"] == "summer-ac"


def test_commit_then_drop_is_looked_up_and_adopted_not_created_twice(connected, sandbox):
    request = store(connected, payload())
    sandbox.faults(drop_rate=1.0)
    run_due()
    job = booking_job(request)
    assert job.state == SyncState.RETRYING and job.needs_lookup
    assert "checking whether" in job.last_error or "check whether" in job.last_error
    assert len(sandbox.records(kind="booking", externalId=request.idempotency_key)) == 1
    sandbox.faults(drop_rate=0.0)
    run_due()
    job.refresh_from_db()
    [booking] = sandbox.records(kind="booking", externalId=request.idempotency_key)
    assert job.state == SyncState.SENT and job.titan_id == booking["id"]
    assert [a.outcome for a in job.attempts_log.all()] == ["unknown", "lookup", "adopted"]


def test_a_timeout_without_a_record_is_looked_up_then_created(connected, sandbox):
    request = store(connected, payload())
    sandbox.faults(timeout_rate=1.0, timeout_seconds=1.5)
    run_due()
    job = booking_job(request)
    assert job.state == SyncState.RETRYING and job.needs_lookup
    sandbox.faults(timeout_rate=0.0)
    run_due()
    job.refresh_from_db()
    assert job.state == SyncState.SENT
    assert len(sandbox.records(kind="booking", externalId=request.idempotency_key)) == 1
    assert [a.outcome for a in job.attempts_log.all()] == ["unknown", "lookup", "sent"]


def test_server_errors_retry_until_the_limit_then_fail_in_plain_words(connected, sandbox):
    request = store(connected, payload())
    job = booking_job(request)
    SyncJob.objects.filter(pk=job.pk).update(max_attempts=3)
    sandbox.faults(error_rate=1.0)
    for _ in range(3):
        run_due()
    job.refresh_from_db()
    assert job.state == SyncState.FAILED and job.attempts == 3
    assert job.last_error.startswith("Gave up after 3 attempts: ServiceTitan had a server error (500)")
    assert sandbox.records(kind="booking") == []
    assert job.customer_status == sync.CUSTOMER_STATUS[SyncState.FAILED]


def test_a_rate_limited_try_waits_as_asked_and_does_not_count(connected, sandbox):
    request = store(connected, payload())
    sandbox.faults(rate_limit=1, burst=1)
    titan_connection.client_for(connected.workspace, rate_limit=1000).request(
        "GET", f"/settings/v2/tenant/{TENANT}/business-units", params={"pageSize": 1})  # spend the bucket
    run_due()
    job = booking_job(request)
    assert job.state == SyncState.RETRYING and job.attempts == 0
    assert "slow down" in job.last_error
    assert job.run_after > clock.now()  # Retry-After is a floor


def test_a_refused_booking_needs_review_with_servicetitans_reasons(connected, sandbox):
    BookingProvider.objects.filter(workspace=connected.workspace).update(st_id=999999)
    request = store(connected, payload())
    run_due()
    job = booking_job(request)
    assert job.state == SyncState.NEEDS_REVIEW
    assert job.last_error.startswith("ServiceTitan")
    assert job.error_detail.get("status") in (400, 404)


def test_wrong_credentials_block_the_job(connected, sandbox):
    request = store(connected, payload())
    sandbox.admin("POST", "reset", {})
    from pagetojob.titan import tokens

    tokens.cache.clear()
    titan_connection.connect_sandbox(connected.workspace, connected.owner, sandbox.url, TENANT, APP_KEY, CLIENT_ID,
                                     "cs1.not-the-secret", test=False)
    titan_connection.TitanConnection.objects.filter(workspace=connected.workspace).update(last_test_ok=True)
    changes.record_gate(connected.workspace, None, "credentials", True, "forced for the test", environment="sandbox")
    SyncJob.objects.filter(pk=booking_job(request).pk).update(state=SyncState.QUEUED, work_state="queued",
                                                              run_after=clock.now())
    run_due()
    job = booking_job(request)
    assert job.state == SyncState.BLOCKED, job.last_error
    assert "cs1.not-the-secret" not in job.last_error + job.held_reason


def test_disconnect_holds_pending_jobs_and_the_form_keeps_working(connected, sandbox):
    first = store(connected, payload())
    titan_connection.disconnect(connected.workspace, connected.owner)
    job = booking_job(first)
    assert job.state == SyncState.HELD and "disconnected" in job.held_reason
    second = store(connected, payload(submission_id="sub-after-disconnect"))
    assert booking_job(second).state == SyncState.HELD
    run_due()
    assert sandbox.records(kind="booking") == []


def test_kill_switch_holds_and_turning_it_off_releases(connected, sandbox):
    request = store(connected, payload())
    changes.set_flag(connected.workspace, connected.owner, "pause_all_sync", True, "office asked")
    job = booking_job(request)
    assert job.state == SyncState.HELD and "Pause all sync" in job.held_reason
    run_due()
    assert sandbox.records(kind="booking") == []
    with pytest.raises(Exception):  # noqa: B017 - any refusal: the capability may not touch the tenant
        from pagetojob.readiness.evaluate import require_tenant_access

        require_tenant_access(connected.workspace, "booking_handoff")
    changes.set_flag(connected.workspace, connected.owner, "pause_all_sync", False)
    sync.release_held_jobs(connected.workspace)
    job.refresh_from_db()
    assert job.state == SyncState.QUEUED
    run_due()
    job.refresh_from_db()
    assert job.state == SyncState.SENT


def test_a_gate_that_goes_off_after_queueing_holds_the_job_at_send_time(connected, sandbox):
    request = store(connected, payload())
    changes.record_gate(connected.workspace, connected.owner, "customer_authorization", False, "revoked")
    job = booking_job(request)
    SyncJob.objects.filter(pk=job.pk).update(state=SyncState.QUEUED, work_state="queued")  # queued before the change
    run_due()
    job.refresh_from_db()
    assert job.state == SyncState.HELD and "Customer authorization" in job.held_reason
    assert sandbox.records(kind="booking") == []


def test_operator_actions_are_audited_and_checked(connected, sandbox):
    request = store(connected, payload())
    job = booking_job(request)
    with pytest.raises(sync.SyncActionError, match="Say why"):
        sync.cancel(job, connected.operator, "  ")
    with pytest.raises(sync.SyncActionError, match="Say what was done"):
        sync.mark_manual_complete(job, connected.operator, "")
    sync.mark_manual_complete(job, connected.operator, "Entered by phone as booking 88123")
    request.refresh_from_db()
    assert request.status != "handed_off"
    job.refresh_from_db()
    assert job.state == SyncState.MANUAL_COMPLETE and job.work_state == "done"
    with pytest.raises(sync.SyncActionError, match="manual-complete now"):
        sync.retry(job, connected.operator)
    run_due()
    assert sandbox.records(kind="booking") == []
    assert AuditEntry.objects.filter(workspace=connected.workspace, action="sync.manual_complete").count() == 1


def test_retry_after_failure_looks_up_first(connected, sandbox):
    request = store(connected, payload())
    job = booking_job(request)
    SyncJob.objects.filter(pk=job.pk).update(max_attempts=1)
    sandbox.faults(drop_rate=1.0)
    run_due()
    job.refresh_from_db()
    assert job.state == SyncState.FAILED
    sandbox.faults(drop_rate=0.0)
    sync.retry(job, connected.operator)
    assert job.state == SyncState.QUEUED and job.needs_lookup
    run_due()
    job.refresh_from_db()
    assert job.state == SyncState.SENT
    assert len(sandbox.records(kind="booking", externalId=request.idempotency_key)) == 1
    assert AuditEntry.objects.filter(workspace=connected.workspace, action="sync.retry").exists()


def test_the_queue_shows_what_servicetitan_reported_after_the_send(connected, sandbox, client):
    from pagetojob.webhooks import records
    from pagetojob.webhooks.events import Change

    request = store(connected, payload())
    run_due()
    job = booking_job(request)
    assert job.state == SyncState.SENT
    records.apply(connected.workspace.pk, Change(booking_id=job.titan_id, booking_status="Converted", job_id=55501,
                                                 at=clock.now()))
    client.force_login(connected.operator)
    listing = client.get(f"/w/{connected.workspace.key}/sync/").content.decode()
    assert "Job booked in ServiceTitan" in listing
    detail = client.get(f"/w/{connected.workspace.key}/sync/{job.pk}/").content.decode()
    assert "What ServiceTitan reported since" in detail and "#55501" in detail


@pytest.mark.parametrize("gate,label", [
    ("app_approval", "ServiceTitan app approval"),
    ("customer_authorization", "Customer authorization"),
    ("credentials", "Credential and token storage"),
    ("sync_worker", "Async sync worker"),
])
def test_each_missing_gate_holds_the_job_and_names_itself(connected, sandbox, gate, label):
    from pagetojob.core.models import WorkerHeartbeat

    if gate == "credentials":
        titan_connection.disconnect(connected.workspace, connected.owner)
    elif gate == "sync_worker":
        WorkerHeartbeat.objects.all().delete()
    else:
        changes.record_gate(connected.workspace, connected.owner, gate, False, "withdrawn for the test")
    request = store(connected, payload())
    job = booking_job(request)
    assert job.state == SyncState.HELD and label in job.held_reason
    if gate != "sync_worker":
        run_due()
    job.refresh_from_db()
    assert job.state == SyncState.HELD and job.attempts == 0
    assert sandbox.records(kind="booking") == []


def test_an_out_of_area_request_waits_for_the_office_then_goes_when_retried(connected, sandbox):
    request = store(connected, payload(address={"street": "2 N Leroux St", "city": "Flagstaff", "state": "AZ",
                                                "zip": "86001"}))
    assert request.status == "out_of_area"
    run_due()
    job = booking_job(request)
    assert job.state == SyncState.NEEDS_REVIEW and "outside every service zone" in job.last_error
    assert sandbox.records(kind="booking") == []
    sync.retry(job, connected.operator)  # the office confirmed it serves the address
    run_due()
    job.refresh_from_db()
    assert job.state == SyncState.SENT and len(sandbox.records(kind="booking")) == 1
    assert job.payload["reviewed_by_office"] is True


def test_a_delivered_booking_makes_the_capability_live(connected, sandbox):
    from pagetojob.readiness.evaluate import Status, tenant_access

    assert tenant_access(connected.workspace, "booking_handoff").status == Status.LIVE_READY
    store(connected, payload())
    run_due()
    state = tenant_access(connected.workspace, "booking_handoff")
    assert state.status == Status.LIVE and state.evidence.environment == "sandbox"
