"""Which call of the handoff plan a sync job makes, and how its record is found again by externalId."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pagetojob.handoff.builder import HandoffPlan, build_handoff
from pagetojob.handoff.models import SyncJob, SyncKind, SyncState


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
    plan: HandoffPlan
    requests: list[ShownCall]


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
    return build_handoff(job.booking_request, tenant_id=tenant_id, base_url=base_url,
                         prefer_leads=job.kind == SyncKind.LEAD_HANDOFF)


def dry_run(job: SyncJob) -> ShownPlan:
    """What the job sends, for the operator's eyes: the plan's calls with masked headers and pretty bodies."""
    plan = _plan(job)
    calls = plan.requests
    if job.kind == SyncKind.ATTRIBUTION_POST:
        calls = calls[1:]
    elif job.kind in (SyncKind.BOOKING_HANDOFF, SyncKind.LEAD_HANDOFF):
        calls = calls[:1]
    return ShownPlan(plan, [ShownCall(call.title, call.method, call.url, call.headers,
                                      json.dumps(call.body, indent=2, ensure_ascii=False)) for call in calls])


def _id_of(answer: Any) -> int | None:
    if isinstance(answer, dict) and isinstance(answer.get("id"), int):
        return answer["id"]
    return None


def plan_step(job: SyncJob, client: Any) -> Step:
    plan = _plan(job, client)
    blocking = [warning.message for warning in plan.warnings if warning.blocking]
    if job.kind == SyncKind.ATTRIBUTION_POST:
        return _attribution_step(job, plan)
    if blocking:
        raise NeedsReview(" ".join(blocking))
    if not plan.requests:
        raise NeedsReview("The handoff plan has no call to make for this request.")
    create = plan.requests[0]
    lookup = None
    if create.operation_id == "Bookings_Create":
        external_id = job.idempotency_key

        def lookup(titan: Any) -> int | None:
            answer = titan.request("GET", create.path, params={"externalId": external_id, "pageSize": 5})
            rows = answer.get("data", []) if isinstance(answer, dict) else []
            matches = [row for row in rows if row.get("externalId") == external_id]
            return _id_of(matches[0]) if matches else None

    return Step(create.method, create.path, create.body, lookup, _id_of)


def _attribution_step(job: SyncJob, plan: HandoffPlan) -> Step:
    if len(plan.requests) < 2:
        raise NeedsReview("The handoff plan has no attribution call for this request.")
    parent = (SyncJob.objects.filter(booking_request_id=job.booking_request_id, state=SyncState.SENT,
                                     kind__in=[SyncKind.BOOKING_HANDOFF, SyncKind.LEAD_HANDOFF])
              .exclude(pk=job.pk).order_by("pk").first())
    if parent is None or parent.titan_id is None:
        raise NeedsReview("The booking this attribution belongs to has not been created in ServiceTitan yet.")
    call = plan.requests[1]
    body = call.resolve([{"id": parent.titan_id}])
    return Step(call.method, call.path, body, None, lambda answer: _id_of(answer) or parent.titan_id)
