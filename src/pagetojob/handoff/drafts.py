"""The handoff draft stored with every booking request: held until readiness lets it touch the tenant."""

from __future__ import annotations

from pagetojob.core import clock, fastsql
from pagetojob.core.models import WorkState
from pagetojob.handoff.models import SyncJob, SyncKind, SyncState
from pagetojob.readiness.evaluate import tenant_access


def handoff_access(workspace):
    """Read before the request's write transaction (the intake hook's prepare step)."""
    return tenant_access(workspace, "booking_handoff")


def create_handoff_draft(booking_request, access=None) -> SyncJob:
    """Called inside the request's transaction; the key is the request's, so a retry never makes a second."""
    access = access if access is not None else handoff_access(booking_request.workspace)
    if access.allowed:
        state, reason = SyncState.DRAFT, ""
        customer = "Received; it will be sent to the office's scheduling system."
    else:
        state = SyncState.HELD
        reason = "; ".join(f"{gate.label}: {gate.detail}" for gate in access.missing) or access.status
        customer = "Received; the office has been emailed and will follow up."
    return fastsql.insert(SyncJob(
        workspace=booking_request.workspace, kind=SyncKind.BOOKING_HANDOFF, state=state,
        booking_request=booking_request, page_id=booking_request.page_id,
        binding_snapshot=booking_request.binding_snapshot, idempotency_key=booking_request.idempotency_key,
        held_reason=reason[:500], customer_status=customer, created_at=clock.now(), run_after=clock.now(),
        work_state=WorkState.PARKED,  # not claimable: the sending worker arrives with the handoff capability
    ))
