"""The worker's handler for stored events: interpret, then apply and mark the event in one transaction.

The event's outcome changes from `pending` only in the transaction that applies its change, so a worker
killed at any point leaves either nothing done (the event is claimed again when its lease expires) or
everything done (the next claim finds it no longer pending and stops): each event is applied once.
"""

from __future__ import annotations

import json

from django.db import IntegrityError, transaction

from pagetojob.core import clock, writes
from pagetojob.core.queue import TransientError
from pagetojob.webhooks import records
from pagetojob.webhooks.events import Unusable, interpret
from pagetojob.webhooks.models import EventOutcome, WebhookEvent


def process(event: WebhookEvent) -> None:
    try:
        payload = json.loads(event.raw_body)
        change = interpret(event.event_type, payload, event.signed_at)
    except Unusable as reason:
        _finish(event, EventOutcome.IGNORED, str(reason), {})
        return
    except (ValueError, RecursionError):
        _finish(event, EventOutcome.IGNORED, "The stored body is not JSON.", {})
        return
    links = {"external_id": change.external_id, "booking_id": change.booking_id, "lead_id": change.lead_id,
             "job_id": change.job_id, "invoice_id": change.invoice.invoice_id if change.invoice else None}
    try:
        with writes.serialized_write(), transaction.atomic():
            if not _mark(event, EventOutcome.APPLIED, change.summary, links):
                return  # applied by an earlier run that crashed before reporting back
            if not change.validation:
                record = records.apply(event.workspace_id, change)
                if record.external_id and not links["external_id"]:
                    WebhookEvent.objects.filter(pk=event.pk).update(external_id=record.external_id)
    except IntegrityError as error:
        # Another event created the same record at the same moment; applying again now merges into it.
        raise TransientError(f"Record being created by another event, trying again: {error}") from error


def _mark(event: WebhookEvent, outcome: str, detail: str, links: dict) -> bool:
    fields = {key: value for key, value in links.items() if value not in (None, "")}
    return bool(WebhookEvent.objects.filter(pk=event.pk, outcome=EventOutcome.PENDING).update(
        outcome=outcome, outcome_detail=detail[:500], processed_at=clock.now(), **fields))


def _finish(event: WebhookEvent, outcome: str, detail: str, links: dict) -> None:
    with writes.serialized_write(), transaction.atomic():
        _mark(event, outcome, detail, links)
