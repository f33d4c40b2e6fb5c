"""Operator actions on booking requests; each is audited."""

from __future__ import annotations

from typing import Any

from pagetojob.accounts import audit
from pagetojob.core import clock
from pagetojob.intake import hooks
from pagetojob.intake.models import BookingRequest, RequestStatus

OPERATOR_STATUSES = (RequestStatus.MANUAL_FOLLOW_UP, RequestStatus.SPAM, RequestStatus.MANUAL_COMPLETE)


class InboxError(ValueError):
    pass


def set_status(request: BookingRequest, actor: Any, status: str, note: str = "") -> None:
    if status not in OPERATOR_STATUSES:
        raise InboxError("Choose manual follow-up, spam or manual-complete.")
    note = note.strip()
    if status == RequestStatus.MANUAL_COMPLETE and not note:
        raise InboxError("Say what was done (for example “Booked job 4411 by phone”): manual-complete needs a note.")
    before = request.get_status_display()
    request.status = status
    fields = ["status"]
    if status == RequestStatus.MANUAL_COMPLETE:
        request.completed_note, request.completed_by, request.completed_at = note[:2000], actor, clock.now()
        fields += ["completed_note", "completed_by", "completed_at"]
        hooks.request_completed(request, note)
    request.save(update_fields=fields)
    audit.record(request.workspace, actor, "request.status",
                 f"Request from {request.name}: {before} → {request.get_status_display()}"
                 + (f" — {note}" if note else ""), target=request)
