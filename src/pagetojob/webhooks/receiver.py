"""Receiving one delivery: size cap, signature and timestamp on the raw bytes, then store, then answer.

Refused deliveries are counted per workspace and reason, never stored as events. An accepted event is
committed before the 2xx; a repeated event id is acknowledged without being stored or processed again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from pagetojob.core import clock, fastsql, writes
from pagetojob.webhooks import endpoints
from pagetojob.webhooks.events import VALIDATION_TYPE, event_identity, text
from pagetojob.webhooks.models import RejectedDeliveries, RejectReason, WebhookEvent
from pagetojob.webhooks.verification import verify

SECRET_HEADER_WORDS = ("authorization", "cookie", "secret", "token", "password", "api-key", "app-key", "apikey")
MAX_HEADERS, MAX_HEADER_VALUE = 60, 500


class BodyTooLarge(Exception):
    """Raised by a body reader that stopped before the end (the server's own upload limit)."""


@dataclass
class Receipt:
    status: int
    body: dict = field(default_factory=dict)
    event: WebhookEvent | None = None


def keepable_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Headers worth keeping with the event, minus anything that could carry a credential."""
    kept = {}
    for name, value in list(headers.items())[:MAX_HEADERS]:
        lowered = name.lower()
        key = text(name, 100)
        if any(word in lowered for word in SECRET_HEADER_WORDS):
            kept[key] = "(removed)"
        else:
            kept[key] = text(value, MAX_HEADER_VALUE)
    return kept


def count_rejection(workspace_id: int, reason: str, now: datetime) -> None:
    with writes.serialized_write(), transaction.atomic():
        updated = RejectedDeliveries.objects.filter(workspace_id=workspace_id, reason=reason).update(
            count=F("count") + 1, last_at=now)
        if not updated:
            try:
                with transaction.atomic():
                    RejectedDeliveries.objects.create(workspace_id=workspace_id, reason=reason, count=1, first_at=now,
                                                      last_at=now)
            except IntegrityError:
                RejectedDeliveries.objects.filter(workspace_id=workspace_id, reason=reason).update(
                    count=F("count") + 1, last_at=now)


def _refuse(workspace_id: int, reason: str, status: int, message: str, now: datetime) -> Receipt:
    count_rejection(workspace_id, reason, now)
    return Receipt(status, {"accepted": False, "reason": reason, "error": message})


def receive(workspace_key: str, headers: Mapping[str, str], read_body, content_length: int | None = None,
            now: datetime | None = None) -> Receipt:
    """`read_body()` returns the raw bytes; it is called only once the declared size is known to fit."""
    now = now or clock.now()
    found = endpoints.target(workspace_key)
    if found is None:
        return Receipt(404, {"accepted": False, "error": "No workspace with this key."})
    workspace_id = found.workspace.pk
    limit = settings.PAGETOJOB_WEBHOOK_MAX_BYTES
    if content_length is not None and content_length > limit:
        return _refuse(workspace_id, RejectReason.TOO_LARGE, 413, f"The body is over {limit} bytes.", now)
    try:
        body = read_body()
    except BodyTooLarge:
        body = None
    if body is None or len(body) > limit:
        return _refuse(workspace_id, RejectReason.TOO_LARGE, 413, f"The body is over {limit} bytes.", now)
    verdict = verify(endpoints.rules(found.endpoint), headers, body, now)
    if not verdict.ok:
        status = 503 if verdict.reason == RejectReason.NOT_CONFIGURED else 401
        return _refuse(workspace_id, verdict.reason, status, verdict.message, now)
    try:
        text = body.decode("utf-8")
        payload = json.loads(text)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return _refuse(workspace_id, RejectReason.MALFORMED, 400, "The body is not UTF-8 JSON.", now)
    if not isinstance(payload, dict):
        return _refuse(workspace_id, RejectReason.MALFORMED, 400, "The body is not a JSON object.", now)
    event_id, event_type = event_identity(payload)
    # Without an id of its own an event is known by its content: a redelivery of the same bytes is the same event.
    event_id = event_id or "sha256:" + hashlib.sha256(body).hexdigest()
    event = WebhookEvent(
        workspace_id=workspace_id, event_id=event_id, event_type=event_type, headers=keepable_headers(headers),
        raw_body=text, verification=f"signature valid ({verdict.key_label})",
        signed_at=verdict.signed_at, received_at=now, run_after=now, is_validation=event_type == VALIDATION_TYPE,
    )
    staged = fastsql.Pending([event])
    try:
        with writes.serialized_write(), transaction.atomic():
            staged.run()
    except IntegrityError:
        with writes.serialized_write(), transaction.atomic():
            known = WebhookEvent.objects.filter(workspace_id=workspace_id, event_id=event_id)
            known.update(duplicates=F("duplicates") + 1, last_duplicate_at=now)
        return Receipt(200, {"accepted": True, "duplicate": True, "event_id": event_id})
    return Receipt(200, {"accepted": True, "duplicate": False, "event_id": event_id}, event)
