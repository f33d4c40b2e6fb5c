"""The audit log: one call records who did what to which object in which workspace."""

from __future__ import annotations

from typing import Any

from pagetojob.accounts.models import AuditEntry, Workspace
from pagetojob.core import clock


def record(
    workspace: Workspace,
    actor: Any,
    action: str,
    summary: str,
    *,
    target: Any = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    user = actor if getattr(actor, "is_authenticated", False) else None
    label = (user.get_full_name() or user.email or user.username) if user else (str(actor) if actor else "system")
    return AuditEntry.objects.create(
        workspace=workspace,
        actor=user,
        actor_label=label,
        action=action,
        target_type=target.__class__.__name__ if target is not None else "",
        target_id=str(getattr(target, "pk", "") or "") if target is not None else "",
        summary=summary[:500],
        details=details or {},
        created_at=clock.now(),
    )
