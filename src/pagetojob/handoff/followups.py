"""What follows a delivered handoff: the web attribution call, and telling webhooks which record is ours.

`prepare` does the reads (readiness, the follow-up call) before the worker opens its write transaction;
`after_sent` only writes, inside it, so the database write lock is held for writes alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from pagetojob.handoff.models import SyncJob, SyncKind, SyncState
from pagetojob.handoff.sync import CAPABILITY_BY_KIND, gate_reason, new_job
from pagetojob.intake.models import BookingRequest, RequestStatus

ATTRIBUTION_SUFFIX = "-attr"
HANDED_OFF_FROM = (RequestStatus.NEW, RequestStatus.NOTIFIED, RequestStatus.OUT_OF_AREA)


@dataclass(frozen=True)
class Followup:
    """The attribution job to create once the booking is sent (None: nothing follows this kind of job)."""

    attribution: SyncJob | None


def prepare(job: SyncJob, record_id: int | None) -> Followup:
    if job.kind not in (SyncKind.BOOKING_HANDOFF, SyncKind.LEAD_HANDOFF) or record_id is None:
        return Followup(None)
    from pagetojob.handoff.steps import followup_payload
    from pagetojob.readiness.evaluate import tenant_access

    payload = followup_payload(job, record_id)
    if payload is None:
        return Followup(None)
    access = tenant_access(job.workspace, "attribution_post")
    state, reason = (SyncState.QUEUED, "") if access.allowed else (SyncState.HELD, gate_reason(access))
    return Followup(new_job(
        job.workspace, SyncKind.ATTRIBUTION_POST, state, booking_request_id=job.booking_request_id,
        page_id=job.page_id, binding_snapshot=job.binding_snapshot,
        idempotency_key=job.idempotency_key + ATTRIBUTION_SUFFIX, held_reason=reason, payload=payload))


def after_sent(job: SyncJob, followup: Followup, environment: str) -> None:
    """Inside the worker's transaction: the webhook link, the live evidence, "handed off", the attribution job."""
    _remember(job)
    # What makes the capability `live` on the readiness page: the last call that really succeeded.
    from pagetojob.readiness.changes import record_live_evidence

    record_live_evidence(job.workspace, CAPABILITY_BY_KIND[job.kind],
                         f"{job.get_kind_display().capitalize()} {job.idempotency_key} accepted by ServiceTitan "
                         f"(record {job.titan_id})", environment or "integration")
    if job.kind not in (SyncKind.BOOKING_HANDOFF, SyncKind.LEAD_HANDOFF):
        return
    # The inbox's "handed off": the office's own statuses (follow-up, spam, manual-complete) are never overwritten.
    BookingRequest.objects.filter(sync_jobs=job, status__in=HANDED_OFF_FROM).update(status=RequestStatus.HANDED_OFF)
    if followup.attribution is not None:
        try:
            with transaction.atomic():
                followup.attribution.save(force_insert=True)
        except IntegrityError:  # adopted after a crash: the attribution job already exists
            pass


def _remember(job: SyncJob) -> None:
    """Webhook events name ServiceTitan ids; this is where they learn which of our requests an id belongs to."""
    from pagetojob.webhooks import records

    kinds: dict[str, Any] = {SyncKind.BOOKING_HANDOFF: "booking", SyncKind.LEAD_HANDOFF: "lead"}
    kind = kinds.get(job.kind)
    if kind and job.titan_id is not None:
        records.record_sent(job.workspace, job.idempotency_key, kind, job.titan_id)
