"""The handoff draft stored with every booking request: due for the sync worker, or held until readiness lets it
touch the tenant."""

from __future__ import annotations

from pagetojob.core import fastsql
from pagetojob.handoff.models import SyncJob, SyncKind, SyncState
from pagetojob.handoff.sync import gate_reason, new_job
from pagetojob.readiness.evaluate import tenant_access


def stage_handoff_draft(booking_request) -> fastsql.Pending:
    """Before the request's write transaction (the intake hook's prepare step): read readiness, build the row."""
    access = tenant_access(booking_request.workspace, "booking_handoff")
    state, reason = (SyncState.DRAFT, "") if access.allowed else (SyncState.HELD, gate_reason(access))
    return fastsql.Pending([new_job(
        booking_request.workspace, SyncKind.BOOKING_HANDOFF, state, page_id=booking_request.page_id,
        binding_snapshot=booking_request.binding_snapshot, idempotency_key=booking_request.idempotency_key,
        held_reason=reason)])


def create_handoff_draft(booking_request, staged: fastsql.Pending | None = None) -> SyncJob:
    """Called inside the request's transaction; the key is the request's, so a retry never makes a second."""
    staged = staged if staged is not None else stage_handoff_draft(booking_request)
    staged.link("booking_request_id", booking_request.pk)
    return staged.run()[0]
