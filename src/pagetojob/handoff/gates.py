"""Readiness changes move sync jobs at once: a gate that goes off holds them, one that comes on releases them."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save

from pagetojob.accounts.models import Workspace
from pagetojob.handoff import sync


def _release_after_commit(workspace_id: int | None) -> None:
    def release() -> None:
        workspace = Workspace.objects.filter(pk=workspace_id).first() if workspace_id else None
        sync.release_held_jobs(workspace)

    transaction.on_commit(release)


def _readiness_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    if getattr(instance, "key", "") == "pause_all_sync" and getattr(instance, "enabled", False):
        return  # the kill switch's own callback holds the jobs
    _release_after_commit(instance.workspace_id)


def _kill_switch_on(workspace: Workspace, actor: Any) -> None:
    sync.hold_open_jobs(workspace, "Pause all sync: Kill switch on: every outbound ServiceTitan write waits.")


def _connection_changed(sender: Any, workspace: Workspace, connected: bool, **kwargs: Any) -> None:
    if connected:
        _release_after_commit(workspace.pk)
    else:
        sync.hold_open_jobs(workspace, "Credential and token storage: the ServiceTitan connection was disconnected.")


def connect_signals() -> None:
    from pagetojob.readiness import changes
    from pagetojob.readiness.models import FeatureFlag, GateRecord, ModuleOwnership
    from pagetojob.titan.signals import connection_changed

    for model in (GateRecord, FeatureFlag, ModuleOwnership):
        post_save.connect(_readiness_saved, sender=model, dispatch_uid=f"handoff-release-{model.__name__}")
    changes.on_flag_enabled("pause_all_sync", _kill_switch_on)
    connection_changed.connect(_connection_changed, dispatch_uid="handoff-connection-changed")
