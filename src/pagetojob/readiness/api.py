from __future__ import annotations

from ninja import Router, Schema

from pagetojob.accounts.api import member_workspace
from pagetojob.readiness.evaluate import evaluate

router = Router(tags=["readiness"])


class GateOut(Schema):
    key: str
    label: str
    satisfied: bool
    status: str
    detail: str


class CapabilityOut(Schema):
    key: str
    label: str
    status: str
    allowed: bool
    missing: list[str]
    scopes: list[str]


class ReadinessOut(Schema):
    gates: list[GateOut]
    modules: list[GateOut]
    capabilities: list[CapabilityOut]
    flags: dict[str, bool]


@router.get("/workspaces/{key}/readiness", response=ReadinessOut)
def readiness(request, key: str):
    workspace = member_workspace(request, key)
    r = evaluate(workspace)
    gate = lambda g: GateOut(key=g.key, label=g.label, satisfied=g.satisfied, status=g.status, detail=g.detail)  # noqa: E731
    return ReadinessOut(
        gates=[gate(g) for g in r.gates],
        modules=[gate(g) for g in r.modules],
        capabilities=[CapabilityOut(key=s.capability.key, label=s.capability.label, status=s.status,
                                    allowed=s.allowed, missing=[g.key for g in s.missing],
                                    scopes=list(s.capability.scopes)) for s in r.capabilities],
        flags={entry["flag"].key: entry["enabled"] for entry in r.flags},
    )
