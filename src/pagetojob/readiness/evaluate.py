"""Readiness computed from stored facts, and the one check every tenant-touching code path calls."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from django.db.models import Model

from pagetojob.accounts.models import Workspace
from pagetojob.core import fastsql, vault, worker
from pagetojob.readiness.catalog import (
    CAPABILITIES,
    CAPABILITIES_BY_KEY,
    CONNECTION_GATES,
    FLAGS,
    FLAGS_BY_KEY,
    MODULES,
    SCOPE_FAMILIES,
    Capability,
    scope_family,
)
from pagetojob.readiness.models import FeatureFlag, GateRecord, LiveEvidence, ModuleAnswer, ModuleOwnership
from pagetojob.webhooks.models import WebhookEndpoint

M = TypeVar("M", bound=Model)


class Status:
    MANUAL_READY = "manual ready"
    NEEDS_CUSTOMER = "needs customer"
    API_GATED = "api gated"
    BLOCKED = "blocked"
    LIVE_READY = "live ready"
    LIVE = "live"


SEVERITY = [Status.BLOCKED, Status.API_GATED, Status.NEEDS_CUSTOMER]


@dataclass
class GateState:
    key: str
    label: str
    satisfied: bool
    status: str  # what a missing gate means for a capability: needs customer / api gated / blocked
    detail: str
    recorded_at: datetime | None = None
    environment: str = ""


@dataclass
class CapabilityState:
    capability: Capability
    status: str
    missing: list[GateState] = field(default_factory=list)
    evidence: LiveEvidence | None = None

    @property
    def allowed(self) -> bool:
        return self.status in (Status.LIVE_READY, Status.LIVE)


@dataclass
class Readiness:
    gates: list[GateState]
    modules: list[GateState]
    flags: list[dict]
    capabilities: list[CapabilityState]
    scope_families: list[dict]

    def capability(self, key: str) -> CapabilityState:
        return next(state for state in self.capabilities if state.capability.key == key)


class TenantAccessDenied(Exception):
    """Raised by require_tenant_access: a code path tried to touch a tenant while a gate is missing."""

    def __init__(self, state: CapabilityState) -> None:
        reasons = "; ".join(f"{gate.label}: {gate.detail}" for gate in state.missing) or state.status
        super().__init__(f"{state.capability.label} is {state.status}: {reasons}")
        self.state = state


def _rows(model: type[M], where: str, params: list) -> list[M]:
    """A workspace's few rows of one readiness table; read on every booking request, so kept to one statement."""
    return fastsql.select(model, where, params)


def _connection_gates(workspace: Workspace) -> list[GateState]:
    records = {
        (record.workspace_id, record.gate): record
        for record in _rows(GateRecord, "workspace_id = %s OR workspace_id IS NULL", [workspace.pk])
    }
    states: list[GateState] = []
    for gate in CONNECTION_GATES:
        record = records.get((workspace.pk, gate.key)) or records.get((None, gate.key))
        if gate.key == "app_approval":
            ok = bool(record and record.satisfied)
            states.append(GateState(gate.key, gate.label, ok, Status.API_GATED,
                                    record.evidence if ok and record else "ServiceTitan has not approved the app yet.",
                                    record.recorded_at if record else None, record.environment if record else ""))
        elif gate.key == "customer_authorization":
            ok = bool(record and record.satisfied)
            states.append(GateState(gate.key, gate.label, ok, Status.NEEDS_CUSTOMER,
                                    record.evidence if ok and record else
                                    "No ServiceTitan admin of this contractor has authorized the app.",
                                    record.recorded_at if record else None, record.environment if record else ""))
        elif gate.key == "credentials":
            keys_problem = vault.problem()
            if keys_problem:
                states.append(GateState(gate.key, gate.label, False, Status.BLOCKED, keys_problem))
            else:
                ok = bool(record and record.satisfied)
                states.append(GateState(gate.key, gate.label, ok, Status.NEEDS_CUSTOMER,
                                        record.evidence if record and record.evidence else
                                        "No encrypted tenant credentials are stored for this workspace.",
                                        record.recorded_at if record else None, record.environment if record else ""))
        elif gate.key == "webhooks":
            ok, detail = _webhook_gate(workspace, record)
            states.append(GateState(gate.key, gate.label, ok, Status.API_GATED, detail,
                                    record.recorded_at if record else None, record.environment if record else ""))
        elif gate.key == "sync_worker":
            beat = worker.latest_heartbeat()
            alive = worker.is_fresh(beat)
            detail = (f"Last heartbeat {beat.last_beat_at:%Y-%m-%d %H:%M:%S} UTC from {beat.hostname}."
                      if beat else "No worker has ever written a heartbeat: start `pagetojob worker`.")
            if beat and not alive:
                detail = "The worker's heartbeat is stale: " + detail
            states.append(GateState(gate.key, gate.label, alive, Status.BLOCKED, detail,
                                    beat.last_beat_at if beat else None))
    return states


def _webhook_gate(workspace: Workspace, record: GateRecord | None) -> tuple[bool, str]:
    """Holds only with a passing validation run recorded after the current webhook key was set."""
    endpoint = next(iter(_rows(WebhookEndpoint, "workspace_id = %s", [workspace.pk])), None)
    if endpoint is None or not endpoint.secret_current:
        return False, "No webhook key is configured: set the HMAC key on the webhook settings screen."
    if record is None or not record.satisfied:
        return False, (record.evidence if record and record.evidence else
                       "No signed webhook delivery has been validated for this workspace: validate with the sandbox.")
    if endpoint.secret_set_at and endpoint.secret_set_at > record.recorded_at:
        return False, "The webhook key changed after the last validation: validate with the sandbox again."
    return True, record.evidence


def _module_gates(workspace: Workspace) -> list[GateState]:
    answers = {row.module: row for row in _rows(ModuleOwnership, "workspace_id = %s", [workspace.pk])}
    states = []
    for module in MODULES:
        row = answers.get(module.key)
        answer = row.answer if row else ModuleAnswer.UNKNOWN
        if answer == ModuleAnswer.OWNED:
            states.append(GateState(module.key, module.label, True, Status.LIVE_READY,
                                    "The contractor has it" + (f" — {row.note}" if row and row.note else "."),
                                    row.answered_at if row else None))
        elif answer == ModuleAnswer.NOT_OWNED:
            states.append(GateState(module.key, module.label, False, Status.BLOCKED,
                                    "The contractor does not have this module; manual mode continues.",
                                    row.answered_at if row else None))
        else:
            states.append(GateState(module.key, module.label, False, Status.NEEDS_CUSTOMER,
                                    "Not answered yet: ask the contractor. " + module.question))
    return states


def _flags(workspace: Workspace) -> list[dict]:
    stored = {row.key: row for row in FeatureFlag.objects.filter(workspace=workspace).select_related("changed_by")}
    return [
        {"flag": flag, "row": stored.get(flag.key), "enabled": bool(stored.get(flag.key) and stored[flag.key].enabled)}
        for flag in FLAGS
    ]


def _enabled_flags(workspace: Workspace) -> set[str]:
    return {row.key for row in _rows(FeatureFlag, "workspace_id = %s", [workspace.pk]) if row.enabled}


def _evidence(workspace: Workspace) -> dict[str, LiveEvidence]:
    return {row.capability: row for row in _rows(LiveEvidence, "workspace_id = %s", [workspace.pk])}


def _capability_state(capability: Capability, gate_by_key: dict[str, GateState],
                      module_by_key: dict[str, GateState], enabled_flags: set[str],
                      evidence: dict[str, LiveEvidence]) -> CapabilityState:
    if not capability.touches_tenant:
        return CapabilityState(capability, Status.MANUAL_READY)
    missing = [gate_by_key[key] for key in capability.gates if not gate_by_key[key].satisfied]
    missing += [module_by_key[key] for key in capability.modules if not module_by_key[key].satisfied]
    for key in capability.kill_switches:
        if key in enabled_flags:
            flag = FLAGS_BY_KEY[key]
            missing.append(GateState(key, flag.label, False, Status.BLOCKED, f"Kill switch on: {flag.explains}"))
    if missing:
        status = next(level for level in SEVERITY if any(gate.status == level for gate in missing))
    else:
        status = Status.LIVE if capability.key in evidence else Status.LIVE_READY
    return CapabilityState(capability, status, missing, evidence.get(capability.key))


def evaluate(workspace: Workspace) -> Readiness:
    gate_by_key = {gate.key: gate for gate in _connection_gates(workspace)}
    module_by_key = {module.key: module for module in _module_gates(workspace)}
    flags = _flags(workspace)
    enabled_flags = {entry["flag"].key for entry in flags if entry["enabled"]}
    evidence = _evidence(workspace)
    capabilities = [_capability_state(capability, gate_by_key, module_by_key, enabled_flags, evidence)
                    for capability in CAPABILITIES]

    families = []
    for key, label, prefix in SCOPE_FAMILIES:
        uses = []
        for capability in CAPABILITIES:
            scopes = [scope for scope in capability.scopes if scope_family(scope) == key]
            if scopes:
                uses.append({"capability": capability, "scopes": scopes})
        families.append({"key": key, "label": label, "prefix": prefix, "uses": uses})
    return Readiness(list(gate_by_key.values()), list(module_by_key.values()), flags, capabilities, families)


def tenant_access(workspace: Workspace, capability_key: str) -> CapabilityState:
    """The one question before touching a tenant: may `capability_key` do so now, and if not, why?"""
    if capability_key not in CAPABILITIES_BY_KEY:
        raise KeyError(f"Unknown capability {capability_key!r}")
    capability = CAPABILITIES_BY_KEY[capability_key]
    if not capability.touches_tenant:
        return CapabilityState(capability, Status.MANUAL_READY)
    gate_by_key = {gate.key: gate for gate in _connection_gates(workspace)}
    module_by_key = {module.key: module for module in _module_gates(workspace)}
    return _capability_state(capability, gate_by_key, module_by_key, _enabled_flags(workspace),
                             _evidence(workspace))


def require_tenant_access(workspace: Workspace, capability_key: str) -> CapabilityState:
    state = tenant_access(workspace, capability_key)
    if not state.allowed:
        raise TenantAccessDenied(state)
    return state


def flag_enabled(workspace: Workspace, key: str) -> bool:
    if key not in FLAGS_BY_KEY:
        raise KeyError(f"Unknown feature flag {key!r}")
    return FeatureFlag.objects.filter(workspace=workspace, key=key, enabled=True).exists()


def module_owned(workspace: Workspace, key: str) -> bool:
    """Has an admin recorded that the contractor has this ServiceTitan module?"""
    if key not in {module.key for module in MODULES}:
        raise KeyError(f"Unknown module {key!r}")
    return ModuleOwnership.objects.filter(workspace=workspace, module=key, answer=ModuleAnswer.OWNED).exists()
