"""2,000 booking requests through real worker processes and a faulty sandbox: each reaches ServiceTitan once.

The sandbox answers 5% of calls with a 5xx, holds 2% past the client's timeout, drops 2% after creating the
booking, and rate-limits the tenant to 60 requests/s. Worker processes are killed with SIGKILL mid-run and
restarted; two and four workers compete on PostgreSQL. Every job must end `sent` with the id of the one
booking ServiceTitan holds for its externalId.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
from django.conf import settings
from django.db import connection

from pagetojob.core import clock, worker
from pagetojob.handoff.models import SyncAttempt, SyncJob, SyncKind, SyncState
from pagetojob.intake.models import BookingRequest
from pagetojob.readiness.sandbox import connect_workspace_to_sandbox
from pagetojob.sandbox.faults import FaultSettings
from pagetojob.sandbox.server import ClientCredentials, SandboxConfig, SandboxServer
from pagetojob.titan import ratelimit, tokens
from tests.handoff.factory import bind_fully, payload, store
from tests.handoff.test_sync_worker import match_sandbox_ids
from tests.titan.conftest import APP_KEY, CLIENT_ID, CLIENT_SECRET, TENANT, _openapi_dir

REQUESTS = int(os.environ.get("PAGETOJOB_RELIABILITY_REQUESTS", "2000"))
WORKER_SCRIPT = Path(__file__).with_name("sync_worker_process.py")
DEADLINE_SECONDS = 300
ON_POSTGRES = connection.vendor == "postgresql"


FAULTS = {"rate_limit": 60.0, "error_rate": 0.05, "timeout_rate": 0.02, "timeout_seconds": 2.0, "drop_rate": 0.02,
          "rng_seed": 20261129}


@pytest.fixture
def faulty_sandbox():
    """Starts calm (so the connection test passes); the faults are switched on once the workspace is connected."""
    config = SandboxConfig(seed="demo", clients=[ClientCredentials(TENANT, CLIENT_ID, CLIENT_SECRET)],
                           app_key=APP_KEY, openapi_dir=_openapi_dir(), faults=FaultSettings(rate_limit=0.0))
    server = SandboxServer("127.0.0.1", 0, config).start()
    tokens.cache.clear()
    ratelimit.reset()
    try:
        yield server
    finally:
        server.stop()


def _requests(world, count: int) -> list[BookingRequest]:
    """One request through the real intake path, then `count - 1` copies with their own keys and handoff drafts."""
    first = store(world, payload(submission_id="reliability-0"))
    template = SyncJob.objects.get(booking_request=first, kind=SyncKind.BOOKING_HANDOFF)
    assert template.state == SyncState.DRAFT, template.held_reason
    copies = []
    for index in range(1, count):
        copy = BookingRequest.objects.get(pk=first.pk)
        copy.pk = None
        copy.submission_id = f"reliability-{index}"
        copy.idempotency_key = f"p2j-reliability-{index:05d}"
        copy.name = f"Customer {index}"
        copy.notification_id = None
        copies.append(copy)
    created = BookingRequest.objects.bulk_create(copies, batch_size=500)
    now = clock.now()
    jobs = []
    for request in created:
        job = SyncJob.objects.get(pk=template.pk)
        job.pk = None
        job.booking_request_id = request.pk
        job.idempotency_key = request.idempotency_key
        job.created_at = job.updated_at = job.run_after = now
        jobs.append(job)
    SyncJob.objects.bulk_create(jobs, batch_size=500)
    return [first, *created]


def _start_worker(name: str) -> subprocess.Popen:
    env = dict(os.environ, PAGETOJOB_ENCRYPTION_KEYS=settings.ENCRYPTION_KEYS, PAGETOJOB_SYNC_LEASE_SECONDS="5",
               PAGETOJOB_SYNC_RETRY_BASE_SECONDS="0.2", PAGETOJOB_ST_TIMEOUT="1.0", PAGETOJOB_LOG_LEVEL="ERROR",
               PAGETOJOB_SYNC_MAX_ATTEMPTS="12")
    return subprocess.Popen([sys.executable, str(WORKER_SCRIPT), str(connection.settings_dict["NAME"]), name],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _sent() -> int:
    return SyncJob.objects.filter(kind=SyncKind.BOOKING_HANDOFF, state=SyncState.SENT).count()


def _run(world, server: SandboxServer, workers: int, kill_after: int | None) -> dict:
    bind_fully(world)
    match_sandbox_ids(world)
    connect_workspace_to_sandbox(world.workspace, world.owner, base_url=server.url, tenant_id=TENANT, app_key=APP_KEY,
                                 client_id=CLIENT_ID, client_secret=CLIENT_SECRET, marketing_ads=False)
    worker.beat("reliability-test", clock.now(), 0)
    httpx.post(f"{server.url}/_sandbox/faults", json=FAULTS, timeout=10).raise_for_status()
    requests = _requests(world, REQUESTS)
    procs = {f"worker-{index}": _start_worker(f"worker-{index}") for index in range(workers)}
    killed = 0
    deadline = time.monotonic() + DEADLINE_SECONDS
    try:
        while _sent() < REQUESTS:
            assert time.monotonic() < deadline, f"only {_sent()} of {REQUESTS} sent in {DEADLINE_SECONDS} s: " + str(
                Counter(SyncJob.objects.filter(kind=SyncKind.BOOKING_HANDOFF).values_list("state", flat=True)))
            for name, proc in procs.items():
                assert proc.poll() is None, f"{name} exited: {proc.stderr.read() if proc.stderr else ''}"
            if kill_after is not None and not killed and _sent() >= kill_after:
                victim = "worker-0"
                procs[victim].send_signal(signal.SIGKILL)  # mid-send: its claimed jobs stay in flight
                procs[victim].wait(timeout=10)
                killed += 1
                procs[victim] = _start_worker(victim + "-restarted")
            time.sleep(0.25)
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in procs.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
    bookings = httpx.get(f"{server.url}/_sandbox/tenants/{TENANT}/records", params={"kind": "booking"},
                         timeout=30).json()["records"]
    stats = httpx.get(f"{server.url}/_sandbox/stats", timeout=10).json()["tenants"][str(TENANT)]
    return {"requests": requests, "bookings": bookings, "stats": stats, "killed": killed}


def _attempt_line(attempt: SyncAttempt) -> str:
    return (f"{attempt.number}/{attempt.worker_id[-8:]}/{attempt.outcome}@{attempt.started_at:%H:%M:%S.%f}/"
            f"{attempt.status_code}/{attempt.message[:90]}")


def _assert_each_sent_once(result: dict) -> None:
    by_key = Counter(booking["externalId"] for booking in result["bookings"])
    twice = [key for key, n in by_key.items() if n > 1]
    assert not twice, f"{len(twice)} externalIds created more than once; timelines: " + "; ".join(
        f"{key}: " + ", ".join(_attempt_line(attempt) for attempt in
                               SyncAttempt.objects.filter(job__idempotency_key=key).order_by("pk"))
        for key in twice[:4])
    assert len(result["bookings"]) == REQUESTS, f"{len(result['bookings'])} bookings for {REQUESTS} requests"
    expected = {request.idempotency_key for request in result["requests"]}
    assert set(by_key) == expected
    ids = {booking["externalId"]: booking["id"] for booking in result["bookings"]}
    jobs = SyncJob.objects.filter(kind=SyncKind.BOOKING_HANDOFF)
    assert set(jobs.values_list("state", flat=True)) == {SyncState.SENT}
    assert all(ids[key] == titan_id for key, titan_id in jobs.values_list("idempotency_key", "titan_id"))
    assert not SyncJob.objects.filter(work_state="in_flight").exists()
    # The faults really happened: the run proves recovery, not a quiet day.
    stats = result["stats"]
    assert stats["serverErrors"] > 0 and stats["timeouts"] > 0 and stats["drops"] > 0, stats


@pytest.mark.django_db(transaction=True)
def test_two_workers_one_killed_mid_send_every_request_booked_once(world, faulty_sandbox):
    result = _run(world, faulty_sandbox, workers=2, kill_after=REQUESTS // 3)
    assert result["killed"] == 1
    _assert_each_sent_once(result)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not ON_POSTGRES, reason="four competing workers are a PostgreSQL deployment (SKIP LOCKED claims)")
def test_four_workers_on_postgresql_never_send_twice(world, faulty_sandbox):
    result = _run(world, faulty_sandbox, workers=4, kill_after=None)
    _assert_each_sent_once(result)
