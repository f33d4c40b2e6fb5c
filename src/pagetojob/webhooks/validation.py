"""The webhook validation protocol: the sandbox's sender against a live receiver URL, over real HTTP.

It proves, for one workspace and its current key, that a signed event is accepted, a bad signature is
refused, a replayed delivery is not processed again (and a stale one refused when timestamps are on),
and that the accepted event was persisted and processed by a worker. The run and every step's evidence
are stored; readiness turns a passing run into the webhook gate.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import asdict, dataclass
from typing import Any

from django.db import close_old_connections
from django.urls import reverse

from pagetojob.accounts.models import Workspace
from pagetojob.core import clock
from pagetojob.sandbox import webhook_sender as sandbox
from pagetojob.webhooks import endpoints
from pagetojob.webhooks.events import VALIDATION_TYPE
from pagetojob.webhooks.models import EventOutcome, RejectedDeliveries, WebhookEvent, WebhookValidation

STEPS = ("signed event accepted", "bad signature rejected", "replay rejected", "event persisted and processed")


@dataclass
class Step:
    name: str
    passed: bool
    evidence: str


def receiver_url(base_url: str, workspace: Workspace) -> str:
    return base_url.rstrip("/") + reverse("api:webhooks-servicetitan", args=[workspace.key])


def _rejections(workspace: Workspace) -> int:
    return sum(RejectedDeliveries.objects.filter(workspace=workspace).values_list("count", flat=True))


def _describe(delivery: sandbox.Delivery) -> str:
    if not delivery.status:
        return f"no answer ({delivery.error})"
    detail = delivery.answer.get("error") or ("duplicate" if delivery.answer.get("duplicate") else "")
    return f"HTTP {delivery.status}" + (f" ({detail})" if detail else "") + f" in {delivery.seconds * 1000:.0f} ms"


def run_protocol(workspace: Workspace, base_url: str, *, actor: Any = None,
                 wait_seconds: float = 20.0) -> WebhookValidation:
    endpoint = endpoints.endpoint_for(workspace)
    secret = endpoints.current_secret(workspace)  # ValueError with a message when no key is configured
    signing = sandbox.Signing(secret, endpoint.signature_header, endpoint.encoding, endpoint.timestamp_header,
                              endpoint.signed_content)
    url = receiver_url(base_url, workspace)
    started = clock.now()
    run_id = uuid.uuid4().hex[:12]
    ping = sandbox.make_event(VALIDATION_TYPE, {"run": run_id, "purpose": "webhook readiness validation"},
                              event_id=f"p2j-validation-{run_id}")
    forged = sandbox.make_event(VALIDATION_TYPE, {"run": run_id, "purpose": "forged"},
                                event_id=f"p2j-validation-{run_id}-forged")
    stale = sandbox.make_event(VALIDATION_TYPE, {"run": run_id, "purpose": "stale"},
                               event_id=f"p2j-validation-{run_id}-stale")
    steps: list[Step] = []
    with sandbox.Sender(url, signing, timeout=15.0, max_connections=2) as sender:
        first = sender.send(ping)
        steps.append(Step(STEPS[0], first.status == 200 and first.answer.get("duplicate") is False,
                          f"POST {url} → {_describe(first)}"))

        refused_before = _rejections(workspace)
        bad = sender.send_bad_signature(forged)
        forged_stored = WebhookEvent.objects.filter(workspace=workspace, event_id=forged.event_id).exists()
        counted = _rejections(workspace) - refused_before
        steps.append(Step(STEPS[1], bad.status == 401 and not forged_stored and counted >= 1,
                          f"tampered signature → {_describe(bad)}; stored: {'yes' if forged_stored else 'no'}; "
                          f"counted as rejected: {counted}"))

        again = sender.send(ping)
        copies = WebhookEvent.objects.filter(workspace=workspace, event_id=ping.event_id).count()
        replay_ok = again.status == 200 and again.answer.get("duplicate") is True and copies == 1
        evidence = f"same delivery again → {_describe(again)}; stored copies: {copies}"
        if endpoint.timestamp_header:
            old = sender.send_stale(stale, age_seconds=endpoint.tolerance_seconds + 600)
            stale_stored = WebhookEvent.objects.filter(workspace=workspace, event_id=stale.event_id).exists()
            replay_ok = replay_ok and old.status == 401 and not stale_stored
            evidence += (f"; stale delivery signed {endpoint.tolerance_seconds + 600} s ago → {_describe(old)}, "
                         f"stored: {'yes' if stale_stored else 'no'}")
        else:
            evidence += "; no timestamp header configured, so stale deliveries cannot be told apart"
        steps.append(Step(STEPS[2], replay_ok, evidence))

    deadline = time.monotonic() + wait_seconds
    event = WebhookEvent.objects.filter(workspace=workspace, event_id=ping.event_id).first()
    while event is not None and event.outcome == EventOutcome.PENDING and time.monotonic() < deadline:
        time.sleep(0.2)
        close_old_connections()
        event.refresh_from_db()
    if event is None:
        steps.append(Step(STEPS[3], False, "The accepted event is not in the database."))
    elif event.outcome == EventOutcome.PENDING:
        steps.append(Step(STEPS[3], False, f"Stored at {event.received_at:%H:%M:%S} UTC ({event.verification}) "
                                           f"but not processed within {wait_seconds:.0f} s: is `pagetojob worker` "
                                           "running?"))
    else:
        lag = (event.processed_at - event.received_at).total_seconds() if event.processed_at else 0.0
        steps.append(Step(STEPS[3], event.outcome == EventOutcome.APPLIED,
                          f"stored {event.received_at:%H:%M:%S} UTC, {event.verification}; processed by the worker "
                          f"{lag:.1f} s later ({event.get_outcome_display()}), {event.attempts} attempt(s)"))
    return WebhookValidation.objects.create(
        workspace=workspace, base_url=url, started_at=started, finished_at=clock.now(),
        passed=all(step.passed for step in steps), steps=[asdict(step) for step in steps],
        key_hint=endpoint.secret_hint, run_by=actor if getattr(actor, "is_authenticated", False) else None)


def summary(run: WebhookValidation) -> str:
    if run.passed:
        return (f"Validated {run.finished_at:%Y-%m-%d %H:%M} UTC against {run.base_url} with key {run.key_hint}: "
                + ", ".join(step["name"] for step in run.steps) + ".")
    failed = next(step for step in run.steps if not step["passed"])
    return f"Validation failed at “{failed['name']}”: {failed['evidence']}"


def latest(workspace: Workspace) -> WebhookValidation | None:
    return WebhookValidation.objects.filter(workspace=workspace).select_related("run_by").first()
