"""The ServiceTitan calls behind one sync job: look up, create, adopt, and classify what came back."""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction

from pagetojob.core import clock
from pagetojob.handoff import sync
from pagetojob.handoff.models import AttemptOutcome, SyncJob, SyncKind, SyncState
from pagetojob.handoff.sender import note_attempt
from pagetojob.titan import errors as titan_errors
from pagetojob.titan.client import Exchange
from pagetojob.titan.connection import NotConnected, client_for


def exchange_summary(exchange: Exchange | None) -> dict[str, Any]:
    """An HTTP exchange as the attempt timeline stores it (the client has already masked every secret)."""
    if exchange is None:
        return {}
    try:
        body = json.loads(exchange.request_body) if exchange.request_body else {}
    except ValueError:
        body = {"text": exchange.request_body}
    return {"method": exchange.method, "url": exchange.url, "status": exchange.status,
            "duration_ms": exchange.duration_ms, "started_at": exchange.started_at, "request_body": body,
            "response_summary": exchange.response_body or exchange.error}


def deliver(job: SyncJob) -> None:
    try:
        client = client_for(job.workspace)
    except NotConnected as error:
        note_attempt(job, AttemptOutcome.UNAUTHORIZED, str(error))
        sync.worker_transition(job, SyncState.BLOCKED, held_reason=str(error)[:500], last_error=str(error))
        return
    from pagetojob.handoff import steps

    try:
        step = steps.plan_step(job, client)
    except steps.NeedsReview as problem:
        note_attempt(job, AttemptOutcome.NEEDS_REVIEW, str(problem))
        sync.worker_transition(job, SyncState.NEEDS_REVIEW, last_error=str(problem))
        return
    needs_lookup = job.needs_lookup or job.attempts > 1
    try:
        # The handler renewed the lease as it began; a lookup can take a whole client timeout, so renew after it.
        if needs_lookup and step.lookup is not None:
            found = step.lookup(client)
            note_attempt(job, AttemptOutcome.LOOKUP, "Looked the externalId up before sending again.",
                         exchange_summary(client.last_exchange))
            if found is not None:
                _sent(job, found, client, adopted=True)
                return
            if not sync.renew_lease(job):
                return  # another worker holds the job now: it sends (or looks up) instead of this one
        answer = client.request(step.method, step.path, json=step.body)
        record_id = step.record_id(answer)
        _sent(job, record_id, client, adopted=False)
    except titan_errors.TitanAuthError as error:
        note_attempt(job, AttemptOutcome.UNAUTHORIZED, str(error), exchange_summary(client.last_exchange))
        sync.worker_transition(job, SyncState.BLOCKED, held_reason=str(error)[:500], last_error=str(error),
                               error_detail=_detail(error))
    except titan_errors.TitanPermanentError as error:
        note_attempt(job, AttemptOutcome.REJECTED, str(error), exchange_summary(client.last_exchange))
        state = SyncState.NEEDS_REVIEW if error.status in (400, 404, 409, 422) else SyncState.FAILED
        sync.worker_transition(job, state, last_error=plain_error(error), error_detail=_detail(error))
    except titan_errors.TitanTransientError as error:
        unknown = bool(getattr(error, "outcome_unknown", False))
        note_attempt(job, AttemptOutcome.UNKNOWN if unknown else AttemptOutcome.TRANSIENT, str(error),
                     exchange_summary(client.last_exchange))
        sync.retry_later(job, plain_error(error), getattr(error, "retry_after", None),
                         needs_lookup=unknown or job.needs_lookup, detail=_detail(error),
                         throttled=isinstance(error, titan_errors.TitanRateLimited))


def _sent(job: SyncJob, record_id: int | None, client: Any, *, adopted: bool) -> None:
    from pagetojob.handoff import followups

    if adopted:
        note_attempt(job, AttemptOutcome.ADOPTED, f"ServiceTitan already had this record ({record_id}); adopted it "
                     "instead of creating another.")
    else:
        note_attempt(job, AttemptOutcome.SENT, f"Created in ServiceTitan as {record_id}.",
                     exchange_summary(client.last_exchange))
    followup = followups.prepare(job, record_id)  # reads first: the transaction below only writes
    environment = client.credentials.environment
    # The outcome, the webhook link for its ServiceTitan id and the attribution job that follows commit together.
    with transaction.atomic():
        if sync.worker_transition(job, SyncState.SENT, titan_id=record_id, sent_at=clock.now(), needs_lookup=False,
                                  environment=environment, last_error="", error_detail={}):
            followups.after_sent(job, followup, environment)


def _detail(error: Exception) -> dict:
    return {key: getattr(error, key) for key in ("status", "title", "errors", "trace_id")
            if getattr(error, key, None) not in (None, "", {})}


def plain_error(error: Exception) -> str:
    """The last error in words an office manager can act on, with ServiceTitan's own message kept."""
    status = getattr(error, "status", None)
    title = getattr(error, "title", "") or str(error)
    fields = getattr(error, "errors", None) or {}
    if status == 429:
        return "ServiceTitan asked us to slow down (rate limit); the job will be sent again shortly."
    if status and status >= 500:
        return f"ServiceTitan had a server error ({status}); the job will be sent again shortly."
    if getattr(error, "outcome_unknown", False):
        return ("The connection to ServiceTitan ended before it answered; before sending again we check "
                "whether the booking was created.")
    if fields:
        problems = "; ".join(f"{name}: {', '.join(map(str, messages))}" for name, messages in fields.items())
        return f"ServiceTitan refused the data ({status}): {problems}"
    return f"ServiceTitan answered {status}: {title}" if status else title


__all__ = ["deliver", "plain_error", "SyncKind"]
