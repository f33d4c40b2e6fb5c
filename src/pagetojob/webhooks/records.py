"""TitanRecord upkeep: what we sent, and what events say happened to it since.

Every merge is order-independent: a status is replaced only by one reported later (or, at the same
time, one further along), invoices are kept per invoice id, and rows made by events that arrived before
their link are folded into the linked row. Any delivery order ends in the same state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import connection
from django.db.models import Q

from pagetojob.accounts.models import Workspace
from pagetojob.core import clock, writes
from pagetojob.webhooks.events import STATUS_RANK, Change
from pagetojob.webhooks.models import RecordKind, TitanRecord

BOOKING_LABELS = {"New": "Received by the office", "Accepted": "Accepted by the office",
                  "Converted": "Job booked in ServiceTitan", "Dismissed": "Dismissed by the office"}
JOB_LABELS = {"Scheduled": "Job scheduled", "Dispatched": "Technician dispatched", "InProgress": "Job in progress",
              "Hold": "Job on hold", "Completed": "Job completed", "Canceled": "Job canceled"}


def _later(status_a: str, at_a: datetime | None, status_b: str, at_b: datetime | None) -> tuple[str, datetime | None]:
    """The status to keep of two reports: the later one; at the same time, the one further along."""
    if not status_a:
        return status_b, at_b
    if not status_b:
        return status_a, at_a

    def key(status: str, at: datetime | None) -> tuple:
        return (at is not None, at or datetime.min.replace(tzinfo=clock.now().tzinfo), STATUS_RANK.get(status, 0),
                status)

    return (status_a, at_a) if key(status_a, at_a) >= key(status_b, at_b) else (status_b, at_b)


def _merge_invoices(into: dict, other: dict) -> dict:
    merged = dict(into)
    for invoice_id, facts in other.items():
        if invoice_id not in merged or (facts.get("modified_on") or "") > (merged[invoice_id].get("modified_on") or ""):
            merged[invoice_id] = facts
    return merged


def _total(invoices: dict) -> Decimal | None:
    totals = [Decimal(facts["total"]) for facts in invoices.values() if facts.get("total")]
    return sum(totals, Decimal("0")) if totals else None


def _kind(record: TitanRecord) -> str:
    if record.booking_id is not None:
        return RecordKind.BOOKING
    if record.lead_id is not None:
        return RecordKind.LEAD
    return RecordKind.JOB if record.job_id is not None else record.kind


def _fold(record: TitanRecord, other: TitanRecord) -> None:
    """Fold another row's facts into `record` (the same rules as applying an event)."""
    record.external_id = record.external_id or other.external_id
    record.booking_id = record.booking_id or other.booking_id
    record.lead_id = record.lead_id or other.lead_id
    record.job_id = record.job_id or other.job_id
    record.booking_status, record.booking_status_at = _later(record.booking_status, record.booking_status_at,
                                                             other.booking_status, other.booking_status_at)
    record.lead_status, record.lead_status_at = _later(record.lead_status, record.lead_status_at,
                                                       other.lead_status, other.lead_status_at)
    record.job_status, record.job_status_at = _later(record.job_status, record.job_status_at,
                                                     other.job_status, other.job_status_at)
    completed = [at for at in (record.job_completed_at, other.job_completed_at) if at]
    record.job_completed_at = max(completed) if completed else None
    record.invoices = _merge_invoices(record.invoices or {}, other.invoices or {})
    sent = [at for at in (record.sent_at, other.sent_at) if at]
    record.sent_at = min(sent) if sent else None
    record.events_applied += other.events_applied


def _as_record(workspace_id: int, change: Change) -> TitanRecord:
    record = TitanRecord(workspace_id=workspace_id, external_id=change.external_id, booking_id=change.booking_id,
                         lead_id=change.lead_id, job_id=change.job_id, booking_status=change.booking_status,
                         booking_status_at=change.at if change.booking_status else None,
                         lead_status=change.lead_status, lead_status_at=change.at if change.lead_status else None,
                         job_status=change.job_status, job_status_at=change.at if change.job_status else None,
                         job_completed_at=change.job_completed_at, sent_at=change.sent_at,
                         events_applied=1 if change.counts_as_event else 0, updated_at=clock.now())
    if change.invoice:
        facts = change.invoice
        record.invoices = {str(facts.invoice_id): {"total": facts.total, "balance": facts.balance,
                                                   "modified_on": facts.modified_on}}
    return record


def apply(workspace_id: int, change: Change) -> TitanRecord:
    """Apply one change; the caller holds the transaction (and, on SQLite, the write lock)."""
    keys = Q()
    if change.external_id:
        keys |= Q(external_id=change.external_id)
    for name in ("booking_id", "lead_id", "job_id"):
        if getattr(change, name) is not None:
            keys |= Q(**{name: getattr(change, name)})
    found = TitanRecord.objects.filter(workspace_id=workspace_id).filter(keys).order_by("pk")
    if connection.vendor == "postgresql":
        found = found.select_for_update()
    rows = list(found) if keys else []
    incoming = _as_record(workspace_id, change)
    if not rows:
        incoming.kind = _kind(incoming)
        incoming.save()
        return incoming
    # The row we keep: the one carrying our externalId if any, else the oldest.
    rows.sort(key=lambda row: (not row.external_id, row.pk))
    keep, others = rows[0], rows[1:]
    for row in others:
        _fold(keep, row)
    _fold(keep, incoming)
    if others:
        TitanRecord.objects.filter(pk__in=[row.pk for row in others]).delete()  # first: unique ids never collide
    keep.kind = _kind(keep)
    keep.invoice_total = _total(keep.invoices)
    keep.updated_at = clock.now()
    keep.save()
    return keep


def record_sent(workspace: Workspace | int, external_id: str, kind: str, titan_id: int,
                at: datetime | None = None) -> TitanRecord:
    """Called when a booking or lead has been created in ServiceTitan: remembers both ids so events link.

    Inside the caller's transaction (the sync job recording its response) it joins that transaction, so the
    record and the job's outcome commit together; otherwise it writes on its own.
    """
    from django.db import transaction

    if kind not in RecordKind.values or kind == RecordKind.JOB:
        raise ValueError(f"kind must be 'booking' or 'lead', not {kind!r}")
    if not external_id:
        raise ValueError("record_sent needs the externalId the record was created with")
    workspace_id = workspace if isinstance(workspace, int) else workspace.pk
    change = Change(external_id=external_id[:120], counts_as_event=False, sent_at=at or clock.now())
    if kind == RecordKind.BOOKING:
        change.booking_id = titan_id
    else:
        change.lead_id = titan_id
    if transaction.get_connection().in_atomic_block:
        return apply(workspace_id, change)
    with writes.serialized_write(), transaction.atomic():
        return apply(workspace_id, change)


@dataclass(frozen=True)
class RecordStatus:
    """What the product may show about a sent record; only what an event or a stored response backs."""

    external_id: str
    kind: str
    booking_id: int | None
    lead_id: int | None
    job_id: int | None
    booking_status: str
    job_status: str
    job_completed_at: datetime | None
    invoice_total: Decimal | None
    invoice_count: int
    label: str
    updated_at: datetime


def describe(record: TitanRecord) -> str:
    if record.job_status:
        return JOB_LABELS.get(record.job_status, f"Job {record.job_status.lower()}")
    if record.booking_status:
        return BOOKING_LABELS.get(record.booking_status, f"Booking {record.booking_status.lower()}")
    if record.lead_status:
        return f"Lead {record.lead_status.lower()}"
    return "Sent to ServiceTitan" if record.sent_at else "Known from ServiceTitan events"


def status_for(workspace: Workspace | int, external_id: str) -> RecordStatus | None:
    workspace_id = workspace if isinstance(workspace, int) else workspace.pk
    record = TitanRecord.objects.filter(workspace_id=workspace_id, external_id=external_id).first()
    if record is None:
        return None
    return RecordStatus(record.external_id, record.kind, record.booking_id, record.lead_id, record.job_id,
                        record.booking_status, record.job_status, record.job_completed_at, record.invoice_total,
                        len(record.invoices or {}), describe(record), record.updated_at)
