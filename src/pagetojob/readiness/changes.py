"""Recording readiness facts: every change is audited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pagetojob.accounts import audit
from pagetojob.accounts.models import Workspace
from pagetojob.core import clock
from pagetojob.readiness.catalog import CONNECTION_GATES, FLAGS_BY_KEY, MODULES
from pagetojob.readiness.models import FeatureFlag, GateRecord, LiveEvidence, ModuleAnswer, ModuleOwnership

MODULE_LABELS = {module.key: module.label for module in MODULES}
GATE_LABELS = {gate.key: gate.label for gate in CONNECTION_GATES}
# Gates an admin may record by hand; the rest are proved by the system (credentials, webhooks, worker).
RECORDABLE_GATES = {"customer_authorization"}


def set_module_answer(workspace: Workspace, actor: Any, module: str, answer: str, note: str = "") -> ModuleOwnership:
    if module not in MODULE_LABELS:
        raise ValueError(f"Unknown module {module!r}.")
    if answer not in ModuleAnswer.values:
        raise ValueError(f"Answer must be one of {', '.join(ModuleAnswer.values)}.")
    row, _ = ModuleOwnership.objects.update_or_create(
        workspace=workspace, module=module,
        defaults={"answer": answer, "note": note[:300], "answered_by": actor, "answered_at": clock.now()},
    )
    audit.record(workspace, actor, "readiness.module", f"{MODULE_LABELS[module]}: {row.get_answer_display()}",
                 target=row, details={"module": module, "answer": answer, "note": note})
    return row


def record_gate(workspace: Workspace | None, actor: Any, gate: str, satisfied: bool, evidence: str,
                environment: str = "integration", audit_workspace: Workspace | None = None) -> GateRecord:
    if gate not in GATE_LABELS:
        raise ValueError(f"Unknown gate {gate!r}.")
    if satisfied and not evidence.strip():
        raise ValueError("Say what shows the gate holds (who authorized, when, where).")
    row, _ = GateRecord.objects.update_or_create(
        workspace=workspace, gate=gate,
        defaults={"satisfied": satisfied, "evidence": evidence.strip()[:500], "environment": environment,
                  "recorded_by": actor if getattr(actor, "is_authenticated", False) else None,
                  "recorded_at": clock.now()},
    )
    target_workspace = workspace or audit_workspace
    if target_workspace is not None:
        verb = "holds" if satisfied else "withdrawn"
        audit.record(target_workspace, actor, "readiness.gate", f"{GATE_LABELS[gate]} {verb}: {evidence.strip()}",
                     target=row, details={"gate": gate, "satisfied": satisfied, "environment": environment})
    return row


def set_flag(workspace: Workspace, actor: Any, key: str, enabled: bool, reason: str = "") -> FeatureFlag:
    if key not in FLAGS_BY_KEY:
        raise ValueError(f"Unknown feature flag {key!r}.")
    row, _ = FeatureFlag.objects.update_or_create(
        workspace=workspace, key=key,
        defaults={"enabled": enabled, "reason": reason[:300], "changed_by": actor, "changed_at": clock.now()},
    )
    state = "on" if enabled else "off"
    audit.record(workspace, actor, "readiness.flag", f"{FLAGS_BY_KEY[key].label} turned {state}"
                 + (f": {reason}" if reason else ""), target=row, details={"flag": key, "enabled": enabled})
    if enabled:
        for callback in _ON_ENABLED.get(key, []):
            callback(workspace, actor)
    return row


# What a kill switch does when turned on, registered by the app that owns that work (from AppConfig.ready()).
_ON_ENABLED: dict[str, list[Callable[[Workspace, Any], Any]]] = {}


def on_flag_enabled(key: str, callback: Callable[[Workspace, Any], Any]) -> None:
    if key not in FLAGS_BY_KEY:
        raise KeyError(f"Unknown feature flag {key!r}")
    callbacks = _ON_ENABLED.setdefault(key, [])
    if callback not in callbacks:
        callbacks.append(callback)


def record_live_evidence(workspace: Workspace, capability: str, detail: str, environment: str) -> LiveEvidence:
    row, _ = LiveEvidence.objects.update_or_create(
        workspace=workspace, capability=capability,
        defaults={"detail": detail[:500], "environment": environment, "succeeded_at": clock.now()},
    )
    return row


def validate_webhooks(workspace: Workspace, actor: Any, base_url: str):
    """Run the webhook validation protocol against `base_url` and record its outcome as the webhook gate."""
    from pagetojob.webhooks import validation

    run = validation.run_protocol(workspace, base_url, actor=actor)
    record_gate(workspace, actor, "webhooks", run.passed, validation.summary(run), environment="sandbox")
    return run
