"""What follows a delivered handoff: the web attribution call, and telling webhooks which record is ours."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction

from pagetojob.core import clock
from pagetojob.handoff.models import SyncJob, SyncKind, SyncState
from pagetojob.handoff.sync import CUSTOMER_STATUS, WORK_STATE_FOR, gate_reason
from pagetojob.intake.models import BookingRequest, RequestStatus

ATTRIBUTION_SUFFIX = "-attr"


def after_sent(job: SyncJob) -> SyncJob | None:
    """Queue the attribution of a created booking or lead (held while Marketing Ads is not ready)."""
    _remember(job)
    # What makes the capability `live` on the readiness page: the last call that really succeeded.
    from pagetojob.handoff.sync import CAPABILITY_BY_KIND
    from pagetojob.readiness.changes import record_live_evidence

    record_live_evidence(job.workspace, CAPABILITY_BY_KIND[job.kind],
                         f"{job.get_kind_display().capitalize()} {job.idempotency_key} accepted by ServiceTitan "
                         f"(record {job.titan_id})", job.environment or "integration")
    if job.kind not in (SyncKind.BOOKING_HANDOFF, SyncKind.LEAD_HANDOFF):
        return None
    # The inbox's "handed off": the office's own statuses (follow-up, spam, manual-complete) are never overwritten.
    BookingRequest.objects.filter(
        sync_jobs=job,
        status__in=[RequestStatus.NEW, RequestStatus.NOTIFIED, RequestStatus.OUT_OF_AREA],
    ).update(status=RequestStatus.HANDED_OFF)
    from pagetojob.handoff.steps import followup_payload
    from pagetojob.readiness.evaluate import tenant_access

    payload = followup_payload(job)
    if payload is None:
        return None
    access = tenant_access(job.workspace, "attribution_post")
    state, reason = (SyncState.QUEUED, "") if access.allowed else (SyncState.HELD, gate_reason(access))
    now = clock.now()
    try:
        with transaction.atomic():
            return SyncJob.objects.create(
                workspace=job.workspace, kind=SyncKind.ATTRIBUTION_POST, state=state, work_state=WORK_STATE_FOR[state],
                booking_request_id=job.booking_request_id, page_id=job.page_id, binding_snapshot=job.binding_snapshot,
                idempotency_key=job.idempotency_key + ATTRIBUTION_SUFFIX, held_reason=reason, payload=payload,
                customer_status=CUSTOMER_STATUS[state], created_at=now, updated_at=now, run_after=now,
                max_attempts=settings.SYNC_MAX_ATTEMPTS)
    except IntegrityError:  # adopted after a crash: the attribution job already exists
        return None


def _remember(job: SyncJob) -> None:
    """Webhook events name ServiceTitan ids; this is where they learn which of our requests an id belongs to."""
    from pagetojob.webhooks import records

    kinds: dict[str, str] = {SyncKind.BOOKING_HANDOFF: "booking", SyncKind.LEAD_HANDOFF: "lead"}
    kind = kinds.get(job.kind)
    if kind and job.titan_id is not None:
        records.record_sent(job.workspace, job.idempotency_key, kind, job.titan_id)
