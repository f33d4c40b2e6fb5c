"""Which call of the handoff plan a sync job makes, and how its record is found again by externalId.

A booking or lead job builds its plan once, on its first send, and keeps the call in `SyncJob.payload`: every
retry sends exactly the same body, and the attribution job that follows gets its call from there (its id field
filled from ServiceTitan's answer) without building the plan again. An operator's retry clears the payload, so a
fixed Titan Map is picked up.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pagetojob.handoff.builder import DryRunRequest, HandoffPlan, build_handoff
from pagetojob.handoff.models import SyncJob, SyncKind

# Warnings that are a capacity or service-area rule: the office decides before anything goes into its schedule.
REVIEW_FIRST = {"out_of_area", "zone_paused", "zone_expansion", "zone_emergency_only", "zone_inactive"}


class NeedsReview(Exception):
    """The Titan Map or the request needs a person before this call can be sent (the message says what)."""


@dataclass(frozen=True)
class Step:
    method: str
    path: str
    body: dict[str, Any]
    lookup: Callable[[Any], int | None] | None  # finds a record an unknown outcome may have created
    record_id: Callable[[Any], int | None]


@dataclass(frozen=True)
class ShownCall:
    title: str
    method: str
    url: str
    headers: dict[str, str]
    body_json: str


@dataclass(frozen=True)
class ShownPlan:
    requests: list[ShownCall]
    stored: bool  # True: the call the job keeps sending; False: what it would send if sent now


def _plan(job: SyncJob, client: Any = None) -> HandoffPlan:
    if job.booking_request is None:
        raise NeedsReview("This job has no booking request to hand off.")
    tenant_id, base_url = None, None
    if client is not None:
        tenant_id, base_url = client.credentials.tenant_id, client.credentials.api_base
    else:
        from pagetojob.titan.client import ENVIRONMENTS
        from pagetojob.titan.connection import connection_of

        connection = connection_of(job.workspace)
        if connection is not None and connection.tenant_id:
            tenant_id = connection.tenant_id
            base_url = connection.sandbox_url or ENVIRONMENTS.get(connection.environment, (None,))[0]
    # The worker never sends a direct job create, so the plan skips working out its approval.
    return build_handoff(job.booking_request, tenant_id=tenant_id, base_url=base_url,
                         prefer_leads=job.kind == SyncKind.LEAD_HANDOFF, approve_job_writes=False)


def _stored_call(call: DryRunRequest) -> dict[str, Any]:
    return {"title": call.title, "operation_id": call.operation_id, "method": call.method, "path": call.path,
            "url": call.url, "body": call.body, "lookup_path": call.lookup_path,
            "fills": [{"field": fill.field, "step": fill.step, "response_field": fill.response_field,
                       "label": fill.label} for fill in call.fills]}


def dry_run(job: SyncJob) -> ShownPlan:
    """What the job sends, for the operator's eyes: the stored call, or the plan's call if none is stored yet."""
    from pagetojob.handoff.builder import masked_headers

    if job.payload.get("call"):
        call = job.payload["call"]
        return ShownPlan([ShownCall(call["title"], call["method"], call["url"], masked_headers(),
                                    json.dumps(call["body"], indent=2, ensure_ascii=False))], True)
    plan = _plan(job)
    calls = plan.requests[1:2] if job.kind == SyncKind.ATTRIBUTION_POST else plan.requests[:1]
    return ShownPlan([ShownCall(call.title, call.method, call.url, call.headers, call.body_json) for call in calls],
                     False)


def _id_of(answer: Any) -> int | None:
    if isinstance(answer, dict) and isinstance(answer.get("id"), int):
        return answer["id"]
    return None


def _lookup(lookup_path: str, external_id: str) -> Callable[[Any], int | None] | None:
    """Bookings are found by externalId; a lead (no externalId in ServiceTitan) by the key written in its summary."""
    if not lookup_path:
        return None

    def lookup(titan: Any) -> int | None:
        answer = titan.request("GET", lookup_path)
        rows = answer.get("data", []) if isinstance(answer, dict) else []
        for row in rows:
            if row.get("externalId") == external_id or external_id in str(row.get("summary") or ""):
                return _id_of(row)
        return None

    return lookup


def plan_step(job: SyncJob, client: Any) -> Step:
    if job.kind == SyncKind.ATTRIBUTION_POST:
        return _attribution_step(job, client)
    call = job.payload.get("call")
    if not call:
        plan = _plan(job, client)
        reviewed = bool(job.payload.get("reviewed_by_office"))  # an operator retried it after reading these
        blocking = [warning.message for warning in plan.warnings
                    if warning.blocking or (warning.code in REVIEW_FIRST and not reviewed)]
        if blocking:
            raise NeedsReview(" ".join(blocking))
        if not plan.requests:
            raise NeedsReview("The handoff plan has no call to make for this request.")
        call = _stored_call(plan.requests[0])
        payload = {"call": call, "followup": _stored_call(plan.requests[1]) if len(plan.requests) > 1 else None,
                   "reviewed_by_office": reviewed}
        SyncJob.objects.filter(pk=job.pk).update(payload=payload)
        job.payload = payload
    return Step(call["method"], call["path"], call["body"], _lookup(call.get("lookup_path", ""), job.idempotency_key),
                _id_of)


def followup_payload(job: SyncJob, record_id: int) -> dict[str, Any] | None:
    """The attribution call of a sent booking or lead, its id field filled from ServiceTitan's answer."""
    followup = job.payload.get("followup")
    if not followup:
        return None
    body = copy.deepcopy(followup["body"])
    for fill in followup.get("fills", []):
        body[fill["field"]] = record_id  # every fill names the record created in step 1
    return {"call": dict(followup, body=body, fills=[])}


def _attribution_step(job: SyncJob, client: Any) -> Step:
    call = job.payload.get("call")
    if not call:
        raise NeedsReview("The booking this attribution belongs to has not been created in ServiceTitan yet.")
    parent_id = call["body"].get("bookingId") or call["body"].get("leadId")
    return Step(call["method"], call["path"], call["body"], None, lambda answer: _id_of(answer) or parent_id)
