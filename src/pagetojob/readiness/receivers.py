"""Readiness learns about the ServiceTitan connection from titan's signal (titan cannot import readiness)."""

from __future__ import annotations

from typing import Any

from pagetojob.accounts.models import Workspace
from pagetojob.readiness import changes


def record_credentials_gate(sender: Any, *, workspace: Workspace, connected: bool, environment: str, detail: str,
                            actor: Any = None, **kwargs: Any) -> None:
    """The credentials gate holds exactly while stored credentials have passed their last test."""
    changes.record_gate(workspace, actor, "credentials", connected, detail, environment=environment)
