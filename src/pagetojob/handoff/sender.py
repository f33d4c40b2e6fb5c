"""The sync worker's handler: deliver one sync job to ServiceTitan exactly once, or say exactly why not.

Order of checks on every attempt: the job is still due; readiness still lets its capability touch the tenant
(a gate that went off since it was queued holds it); the workspace has a connection; the Titan Map gives
what the request needs (else a person reviews it). Before creating anything after an attempt whose outcome
is unknown (a timeout, a dropped connection, a worker killed mid-send), the booking is looked up by its
externalId and adopted if it exists, so ServiceTitan never receives the same booking twice.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings

from pagetojob.core import clock
from pagetojob.handoff import sync
from pagetojob.handoff.models import AttemptOutcome, SyncAttempt, SyncJob, SyncKind, SyncState

log = logging.getLogger("pagetojob.sync")

MAX_STORED_BODY = 20_000


def handle(job: SyncJob) -> None:
    """Registered with the core worker for the `sync` queue; always records its own outcome."""
    try:
        _handle(job)
    except Exception as error:  # a bug must not retry blindly: stop the job where an operator sees it
        log.exception("sync job %s failed unexpectedly", job.pk)
        sync.worker_transition(job, SyncState.FAILED, last_error=f"Unexpected error: {error!r}"[:2000])


def _handle(job: SyncJob) -> None:
    from pagetojob.readiness.evaluate import tenant_access

    if job.state not in sync.DUE_STATES + (SyncState.IN_FLIGHT,):
        # Finished or parked by a person while queued: nothing to send.
        sync.worker_transition(job, job.state)
        return
    lease_until = clock.now() + timedelta(seconds=settings.SYNC_LEASE_SECONDS)
    if not sync.worker_transition(job, SyncState.IN_FLIGHT, lease_owner=job.lease_owner,
                                  lease_expires_at=lease_until):
        return  # another worker claimed it after this worker's lease ran out
    access = tenant_access(job.workspace, sync.CAPABILITY_BY_KIND[job.kind])
    if not access.allowed:
        reason = sync.gate_reason(access)
        note_attempt(job, AttemptOutcome.HELD, reason)
        sync.worker_transition(job, SyncState.HELD, held_reason=reason)
        return
    from pagetojob.handoff import delivery

    delivery.deliver(job)


def note_attempt(job: SyncJob, outcome: str, message: str, exchange: dict[str, Any] | None = None) -> SyncAttempt:
    """One line of the attempt timeline: what was asked, what came back (the client masked every secret)."""
    exchange = exchange or {}
    body = exchange.get("request_body")
    return SyncAttempt.objects.create(
        job=job, number=job.attempts, worker_id=job.lease_owner[:120], outcome=outcome,
        started_at=exchange.get("started_at") or clock.now(),
        duration_ms=int(exchange.get("duration_ms") or 0),
        method=exchange.get("method", "")[:8], url=exchange.get("url", "")[:500],
        status_code=exchange.get("status"), request_body=body if isinstance(body, dict | list) else {},
        response_summary=str(exchange.get("response_summary", ""))[:MAX_STORED_BODY], message=message[:1000],
    )


__all__ = ["handle", "note_attempt", "SyncKind"]
