"""The sync job lifecycle: hold, queue, send, retry, review, and the operator's actions.

Domain states (`SyncJob.state`) sit on top of the core work mechanism (`work_state`): held, needs-review,
blocked and finished jobs are parked, so no worker claims them; queued and retrying jobs are due. Every
transition is a conditional UPDATE, so a late worker or a second operator click cannot overwrite a newer
state.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from pagetojob.accounts import audit
from pagetojob.accounts.models import Workspace
from pagetojob.core import clock
from pagetojob.core.models import WorkState
from pagetojob.core.queue import backoff_delay
from pagetojob.handoff.models import SyncJob, SyncKind, SyncState

CAPABILITY_BY_KIND: dict[str, str] = {
    SyncKind.BOOKING_HANDOFF: "booking_handoff",
    SyncKind.LEAD_HANDOFF: "lead_handoff",
    SyncKind.ATTRIBUTION_POST: "attribution_post",
}

# What the customer-facing side may say about a job: never that a job was booked.
CUSTOMER_STATUS: dict[str, str] = {
    SyncState.DRAFT: "Received, being delivered to the office's scheduling system.",
    SyncState.QUEUED: "Received, being delivered to the office's scheduling system.",
    SyncState.IN_FLIGHT: "Received, being delivered to the office's scheduling system.",
    SyncState.RETRYING: "Received, being delivered; the scheduling system is busy, so we are trying again.",
    SyncState.HELD: "Received; the office has been emailed and will follow up.",
    SyncState.NEEDS_REVIEW: "Received; the office is reviewing it before it goes into their schedule.",
    SyncState.BLOCKED: "Received; the office has been emailed and will follow up.",
    SyncState.SENT: "Delivered to the office's scheduling system; the office will confirm a time.",
    SyncState.FAILED: "Received; the office has been emailed and will follow up.",
    SyncState.MANUAL_COMPLETE: "Completed by the office.",
    SyncState.CANCELLED: "Closed by the office.",
}

# Which domain states a worker may claim, and which stay put until a person or a gate moves them.
DUE_STATES = (SyncState.DRAFT, SyncState.QUEUED, SyncState.RETRYING)
PARKED_STATES = (SyncState.HELD, SyncState.NEEDS_REVIEW, SyncState.BLOCKED)
FINISHED_STATES = (SyncState.SENT, SyncState.FAILED, SyncState.MANUAL_COMPLETE, SyncState.CANCELLED)
OPEN_STATES = DUE_STATES + (SyncState.IN_FLIGHT,) + PARKED_STATES

WORK_STATE_FOR: dict[str, str] = {
    SyncState.DRAFT: WorkState.QUEUED,
    SyncState.QUEUED: WorkState.QUEUED,
    SyncState.RETRYING: WorkState.RETRYING,
    SyncState.IN_FLIGHT: WorkState.IN_FLIGHT,
    SyncState.HELD: WorkState.PARKED,
    SyncState.NEEDS_REVIEW: WorkState.PARKED,
    SyncState.BLOCKED: WorkState.PARKED,
    SyncState.SENT: WorkState.DONE,
    SyncState.FAILED: WorkState.FAILED,
    SyncState.MANUAL_COMPLETE: WorkState.DONE,
    SyncState.CANCELLED: WorkState.CANCELLED,
}


class SyncActionError(Exception):
    """An operator action that does not apply to the job's current state; the message says why."""


def _fields_for(state: str, *, run_after: datetime | None = None, **extra: Any) -> dict[str, Any]:
    now = clock.now()
    fields: dict[str, Any] = {
        "state": state, "work_state": WORK_STATE_FOR[state], "customer_status": CUSTOMER_STATUS[state],
        "updated_at": now, "lease_owner": "", "lease_expires_at": None,
    }
    if state in FINISHED_STATES:
        fields["finished_at"] = now
    if run_after is not None:
        fields["run_after"] = run_after
    elif state in DUE_STATES:
        fields["run_after"] = now
    fields.update(extra)
    return fields


def new_job(workspace: Workspace, kind: str, state: str, **fields: Any) -> SyncJob:
    """An unsaved sync job in `state` (due, or held by a gate), with the state's work state and customer status."""
    now = clock.now()
    return SyncJob(workspace=workspace, kind=kind, state=state, work_state=WORK_STATE_FOR[state],
                   customer_status=CUSTOMER_STATUS[state], created_at=now, updated_at=now, run_after=now,
                   max_attempts=settings.SYNC_MAX_ATTEMPTS, **fields)


def _apply(job: SyncJob, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        setattr(job, name, value)


def worker_transition(job: SyncJob, state: str, **extra: Any) -> bool:
    """A worker's outcome: written only while this worker still holds the job's lease."""
    fields = _fields_for(state, **extra)
    updated = SyncJob.objects.filter(pk=job.pk, lease_owner=job.lease_owner,
                                     work_state=WorkState.IN_FLIGHT).update(**fields)
    if updated:
        _apply(job, fields)
    return bool(updated)


def renew_lease(job: SyncJob) -> bool:
    """Right before each ServiceTitan call: still ours? Then keep it for another lease period.

    A worker claims a batch; by the time it reaches a job, that job's lease may have run out and another worker
    may have claimed it. Only the worker named on the row may call ServiceTitan for it, and the renewed lease
    outlasts one call (client timeout plus rate-limit wait), so no second worker can send the same job meanwhile.
    """
    until = clock.now() + timedelta(seconds=settings.SYNC_LEASE_SECONDS)
    updated = SyncJob.objects.filter(pk=job.pk, lease_owner=job.lease_owner, work_state=WorkState.IN_FLIGHT,
                                     state=SyncState.IN_FLIGHT).update(lease_expires_at=until)
    if updated:
        job.lease_expires_at = until
    return bool(updated)


def retry_later(job: SyncJob, message: str, retry_after: float | None, *, needs_lookup: bool,
                detail: dict | None = None, throttled: bool = False) -> str:
    """A transient failure: back off (never sooner than Retry-After) until the attempt limit, then fail.

    Being throttled (429) is not the job's fault: it waits as asked and the try does not count.
    """
    if throttled:
        delay = backoff_delay(1, retry_after, base=settings.SYNC_RETRY_BASE_SECONDS)
        worker_transition(job, SyncState.RETRYING, run_after=clock.now() + timedelta(seconds=delay),
                          last_error=message, needs_lookup=needs_lookup, attempts=max(job.attempts - 1, 0))
        return SyncState.RETRYING
    if job.attempts >= job.max_attempts:
        worker_transition(job, SyncState.FAILED, last_error=f"Gave up after {job.attempts} attempts: {message}",
                          needs_lookup=needs_lookup, error_detail=detail or {})
        return SyncState.FAILED
    delay = backoff_delay(job.attempts, retry_after, base=settings.SYNC_RETRY_BASE_SECONDS)
    worker_transition(job, SyncState.RETRYING, run_after=clock.now() + timedelta(seconds=delay),
                      last_error=message, needs_lookup=needs_lookup, error_detail=detail or {})
    return SyncState.RETRYING


# --- gates: holding and releasing ---------------------------------------------------------------------------

def hold_open_jobs(workspace: Workspace, reason: str) -> int:
    """A gate went off (disconnect, kill switch): every job not yet sent waits, with the reason shown."""
    fields = _fields_for(SyncState.HELD, held_reason=reason[:500])
    return SyncJob.objects.filter(
        workspace=workspace, state__in=[SyncState.DRAFT, SyncState.QUEUED, SyncState.RETRYING, SyncState.BLOCKED],
    ).update(**fields)


def release_held_jobs(workspace: Workspace | None = None) -> int:
    """Re-check the gates of held and blocked jobs; those whose capability may now touch the tenant are queued."""
    from pagetojob.readiness.evaluate import tenant_access

    held = SyncJob.objects.filter(state__in=[SyncState.HELD, SyncState.BLOCKED])
    if workspace is not None:
        held = held.filter(workspace=workspace)
    pairs = held.values_list("workspace_id", "kind").distinct()
    released = 0
    workspaces = {ws.pk: ws for ws in Workspace.objects.filter(pk__in={pk for pk, _ in pairs})}
    for workspace_id, kind in pairs:
        access = tenant_access(workspaces[workspace_id], CAPABILITY_BY_KIND[kind])
        if access.allowed:
            released += held.filter(workspace_id=workspace_id, kind=kind).update(
                **_fields_for(SyncState.QUEUED, held_reason=""))
        else:
            reason = gate_reason(access)
            held.filter(workspace_id=workspace_id, kind=kind).exclude(held_reason=reason).update(held_reason=reason)
    return released


def release_schedule(now: datetime) -> int:
    """The worker's periodic pass: gates that came on by themselves (a worker heartbeat) release held jobs."""
    return release_held_jobs()


def gate_reason(access: Any) -> str:
    return ("; ".join(f"{gate.label}: {gate.detail.rstrip('.')}" for gate in access.missing) or access.status)[:500]


# --- operator actions ---------------------------------------------------------------------------------------

def _operator_update(job: SyncJob, allowed_from: tuple[str, ...], state: str, **extra: Any) -> None:
    fields = _fields_for(state, **extra)
    with transaction.atomic():
        updated = SyncJob.objects.filter(pk=job.pk, state__in=allowed_from).filter(
            ~Q(work_state=WorkState.IN_FLIGHT) | Q(lease_expires_at__lt=clock.now())).update(**fields)
    if not updated:
        job.refresh_from_db()
        raise SyncActionError(f"This job is {job.get_state_display()} now; reload the page and try again.")
    _apply(job, fields)


def retry(job: SyncJob, actor: Any) -> None:
    """Send again now: from failed, needs-review or blocked (after a fix) or retrying (skip the wait)."""
    allowed = (SyncState.FAILED, SyncState.NEEDS_REVIEW, SyncState.BLOCKED, SyncState.RETRYING, SyncState.HELD)
    before = job.get_state_display()
    # A failed job may have been created on the last try: the next send looks the externalId up first.
    # The payload is built again from the current Titan Map (a fixed mapping is picked up); an attribution keeps
    # its call, which only the booking it belongs to can give it. Retrying a job that needed review is the
    # office's decision on its service-area or capacity warnings.
    rebuilt = ({"reviewed_by_office": job.state == SyncState.NEEDS_REVIEW} if job.kind != SyncKind.ATTRIBUTION_POST
               else job.payload)
    _operator_update(job, allowed, SyncState.QUEUED, attempts=0, held_reason="", operator_action="retried",
                     needs_lookup=True, payload=rebuilt)
    audit.record(job.workspace, actor, "sync.retry", f"Sync job {job.idempotency_key}: {before} → queued",
                 target=job)


def cancel(job: SyncJob, actor: Any, note: str) -> None:
    note = note.strip()
    if not note:
        raise SyncActionError("Say why the job is cancelled (for example “duplicate of request 512”).")
    before = job.get_state_display()
    _operator_update(job, OPEN_STATES, SyncState.CANCELLED, operator_action=f"cancelled: {note[:180]}")
    audit.record(job.workspace, actor, "sync.cancel", f"Sync job {job.idempotency_key}: {before} → cancelled — {note}",
                 target=job, details={"note": note})


def mark_manual_complete(job: SyncJob, actor: Any, note: str) -> None:
    note = note.strip()
    if not note:
        raise SyncActionError("Say what was done (for example “Entered as booking 88123 by the office”).")
    before = job.get_state_display()
    _operator_update(job, OPEN_STATES + (SyncState.FAILED,), SyncState.MANUAL_COMPLETE,
                     operator_action=f"manual-complete: {note[:180]}")
    audit.record(job.workspace, actor, "sync.manual_complete",
                 f"Sync job {job.idempotency_key}: {before} → manual-complete — {note}", target=job,
                 details={"note": note})


def close_for_request(booking_request: Any, note: str) -> int:
    """The office completed the request by hand: its handoffs not yet sent are manual-complete too."""
    return SyncJob.objects.filter(booking_request=booking_request).exclude(
        state__in=[SyncState.SENT, SyncState.MANUAL_COMPLETE],
    ).update(**_fields_for(SyncState.MANUAL_COMPLETE, operator_action=f"manual-complete: {note[:150]}"))


def state_counts(workspace: Workspace) -> dict[str, int]:
    from django.db.models import Count

    counts = dict(SyncJob.objects.filter(workspace=workspace).values_list("state").annotate(n=Count("pk")))
    return {value: counts.get(value, 0) for value in SyncState.values}
