"""What a stored event says, in plain values: which record it is about and which status it reports.

ServiceTitan's V2 event catalogue is not published; its payloads are said to follow the API's data
models. So an event is read as `{eventId, eventType, data: <Booking|Lead|Job|Invoice response>}`, the
type's resource and action are read loosely (`Booking.Converted`, `booking_converted`, `JobCompleted`),
and the fields come from the API models (`status`, `jobId`, `externalId`, `jobStatus`, `job.id`, `total`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from pagetojob.webhooks.verification import parse_timestamp

VALIDATION_TYPE = "PageToJob.Validation"
ID_KEYS = ("eventId", "EventId", "event_id", "webhookEventId", "id", "Id")
TYPE_KEYS = ("eventType", "EventType", "event_type", "type", "Type", "event", "topic")
DATA_KEYS = ("data", "Data", "entity", "record", "payload", "resource")
TIME_KEYS = ("occurredOn", "occurredAt", "createdOn", "timestamp", "eventTime", "sentOn")

BOOKING_STATUSES = {"new": "New", "accepted": "Accepted", "converted": "Converted", "dismissed": "Dismissed"}
LEAD_STATUSES = {"open": "Open", "converted": "Converted", "dismissed": "Dismissed"}
JOB_STATUSES = {"scheduled": "Scheduled", "dispatched": "Dispatched", "inprogress": "InProgress",
                "working": "InProgress", "hold": "Hold", "completed": "Completed", "complete": "Completed",
                "canceled": "Canceled", "cancelled": "Canceled"}
# How far along a status is; with equal times the further one wins, so the end state never depends on order.
STATUS_RANK = {"New": 0, "Open": 0, "Scheduled": 0, "Accepted": 1, "Dispatched": 1, "InProgress": 2, "Hold": 2,
               "Converted": 3, "Dismissed": 3, "Completed": 3, "Canceled": 3}
RESOURCES = ("pagetojobvalidation", "booking", "invoice", "payment", "lead", "job")


class Unusable(Exception):
    """The event is stored and shown as ignored: it is not about anything PageToJob keeps."""


@dataclass
class InvoiceFacts:
    invoice_id: int
    total: str = ""
    balance: str = ""
    modified_on: str = ""


@dataclass
class Change:
    """Facts one event (or one sent record) contributes to a TitanRecord."""

    summary: str = ""
    external_id: str = ""
    booking_id: int | None = None
    lead_id: int | None = None
    job_id: int | None = None
    booking_status: str = ""
    lead_status: str = ""
    job_status: str = ""
    at: datetime | None = None
    job_completed_at: datetime | None = None
    invoice: InvoiceFacts | None = None
    sent_at: datetime | None = None
    counts_as_event: bool = True
    validation: bool = False
    links: dict = field(default_factory=dict)


def text(value: object, limit: int) -> str:
    """A value as storable text: PostgreSQL refuses NUL characters, which JSON strings may carry escaped."""
    return str(value).replace("\x00", "\ufffd")[:limit]


def first(mapping: dict, keys: tuple[str, ...]):
    return next((mapping[key] for key in keys if key in mapping and mapping[key] not in (None, "")), None)


def event_identity(payload: object) -> tuple[str, str]:
    """(event id, event type) as the payload names them; either may be empty."""
    if not isinstance(payload, dict):
        return "", ""
    event_id = first(payload, ID_KEYS)
    event_type = first(payload, TYPE_KEYS)
    return (text(event_id, 200) if isinstance(event_id, str | int) else "",
            text(event_type, 120) if isinstance(event_type, str) else "")


def split_type(event_type: str) -> tuple[str, str]:
    flat = re.sub(r"[^a-z]", "", event_type.lower())
    for resource in RESOURCES:
        if flat.startswith(resource):
            return resource, flat[len(resource):]
    return "", flat


def _int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value < 2**63 else None
    if isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
        return number if 0 < number < 2**63 else None
    if isinstance(value, dict):
        return _int(value.get("id"))
    return None


def _money(value) -> str:
    if value in (None, ""):
        return ""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return ""
    return str(amount.quantize(Decimal("0.01"))) if amount.is_finite() and abs(amount) < 10**12 else ""


def _time(value) -> datetime | None:
    return parse_timestamp(str(value)) if isinstance(value, str | int | float) and not isinstance(value, bool) else None


def _status(table: dict[str, str], value) -> str:
    return table.get(re.sub(r"[^a-z]", "", value.lower()), "") if isinstance(value, str) else ""


def interpret(event_type: str, payload: object, fallback_time: datetime | None = None) -> Change:
    """The change an event asks for; raises Unusable (with the reason shown to operators) otherwise.

    `fallback_time` (the signed timestamp, if any) orders statuses when the payload carries no time; never
    the receive time, which would make the end state depend on delivery order.
    """
    resource, action = split_type(event_type)
    if resource == "pagetojobvalidation":
        return Change(summary="Validation event from the sandbox: received, verified and processed.",
                      validation=True, counts_as_event=False)
    if not resource:
        shown = event_type or "(none)"
        raise Unusable(f"Event type {shown!r} is not one PageToJob uses (bookings, leads, jobs, invoices).")
    if not isinstance(payload, dict):
        raise Unusable("The event body is not a JSON object.")
    data = first(payload, DATA_KEYS)
    data = data if isinstance(data, dict) else payload
    at = _time(data.get("modifiedOn")) or _time(first(payload, TIME_KEYS)) or fallback_time
    change = Change(at=at)
    if resource == "booking":
        change.booking_id = _int(data.get("id")) or _int(data.get("bookingId"))
        change.external_id = text(data.get("externalId") or "", 120)
        change.job_id = _int(data.get("jobId"))
        change.booking_status = _status(BOOKING_STATUSES, action) or _status(BOOKING_STATUSES, data.get("status"))
        if change.job_id and not change.booking_status:
            change.booking_status = "Converted"
        if not (change.booking_id or change.external_id):
            raise Unusable("The booking event names no booking id or externalId.")
        if not change.booking_status:
            raise Unusable(f"The booking event reports no status PageToJob knows ({data.get('status')!r}).")
        change.summary = f"Booking {change.booking_id or change.external_id}: {change.booking_status.lower()}" + (
            f", job {change.job_id}" if change.job_id else "")
    elif resource == "lead":
        change.lead_id = _int(data.get("id")) or _int(data.get("leadId"))
        change.booking_id = _int(data.get("bookingId"))
        change.lead_status = _status(LEAD_STATUSES, action) or _status(LEAD_STATUSES, data.get("status"))
        if not change.lead_id:
            raise Unusable("The lead event names no lead id.")
        if not change.lead_status:
            raise Unusable(f"The lead event reports no status PageToJob knows ({data.get('status')!r}).")
        change.summary = f"Lead {change.lead_id}: {change.lead_status.lower()}"
    elif resource == "job":
        change.job_id = _int(data.get("id")) or _int(data.get("jobId"))
        change.booking_id = _int(data.get("bookingId"))
        change.lead_id = _int(data.get("leadId"))
        status = _status(JOB_STATUSES, action) or _status(JOB_STATUSES, data.get("jobStatus"))
        if not status and action in ("booked", "created"):
            status = "Scheduled"
        if not change.job_id:
            raise Unusable("The job event names no job id.")
        if not status:
            raise Unusable(f"The job event reports no status PageToJob knows ({data.get('jobStatus')!r}).")
        change.job_status = status
        if status == "Completed":
            change.job_completed_at = _time(data.get("completedOn")) or at
        change.summary = f"Job {change.job_id}: {status.lower()}" + (
            f" (booking {change.booking_id})" if change.booking_id else "")
    elif resource == "invoice":
        invoice_id = _int(data.get("id")) or _int(data.get("invoiceId"))
        change.job_id = _int(data.get("job")) or _int(data.get("jobId"))
        if not invoice_id:
            raise Unusable("The invoice event names no invoice id.")
        if not change.job_id:
            raise Unusable(f"Invoice {invoice_id} names no job, so it cannot be linked to a page's booking.")
        change.invoice = InvoiceFacts(invoice_id, _money(data.get("total")), _money(data.get("balance")),
                                      at.isoformat() if at else "")
        change.summary = f"Invoice {invoice_id} for job {change.job_id}" + (
            f": total {change.invoice.total}" if change.invoice.total else "")
    else:
        raise Unusable("Payment events are not used: revenue proof reads payments from exports, applied to "
                       "the invoices these events link.")
    return change
