"""The handoff draft stored with every booking request: held until readiness lets it touch the tenant."""

from __future__ import annotations

from pagetojob.core import clock, fastsql
from pagetojob.core.models import WorkState
from pagetojob.handoff.models import SyncJob, SyncKind, SyncState
from pagetojob.readiness.evaluate import tenant_access


def stage_handoff_draft(booking_request) -> fastsql.Pending:
    """Before the request's write transaction (the intake hook's prepare step): read readiness, build the row."""
    access = tenant_access(booking_request.workspace, "booking_handoff")
    if access.allowed:
        state, reason = SyncState.DRAFT, ""
        customer = "Received; it will be sent to the office's scheduling system."
    else:
        state = SyncState.HELD
        reason = "; ".join(f"{gate.label}: {gate.detail}" for gate in access.missing) or access.status
        customer = "Received; the office has been emailed and will follow up."
    now = clock.now()
    return fastsql.Pending([SyncJob(
        workspace=booking_request.workspace, kind=SyncKind.BOOKING_HANDOFF, state=state,
        page_id=booking_request.page_id, binding_snapshot=booking_request.binding_snapshot,
        idempotency_key=booking_request.idempotency_key, held_reason=reason[:500], customer_status=customer,
        created_at=now, run_after=now,
        work_state=WorkState.PARKED,  # not claimable: the sending worker arrives with the handoff capability
    )])


def create_handoff_draft(booking_request, staged: fastsql.Pending | None = None) -> SyncJob:
    """Called inside the request's transaction; the key is the request's, so a retry never makes a second."""
    staged = staged if staged is not None else stage_handoff_draft(booking_request)
    staged.link("booking_request_id", booking_request.pk)
    return staged.run()[0]
