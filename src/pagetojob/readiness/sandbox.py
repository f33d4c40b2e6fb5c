"""Connect a workspace to a local ServiceTitan sandbox with every gate recorded for that sandbox connection.

Used by `pagetojob demo --sandbox-connected`, the reliability tests and the sync benchmark. Every record it
makes says "sandbox" (gate evidence, the connection's environment), so no screen can mistake it for a
customer's tenant. The worker gate is not recorded here: it holds only while a real worker beats.
"""

from __future__ import annotations

from typing import Any

from pagetojob.accounts.models import Workspace
from pagetojob.readiness import changes
from pagetojob.readiness.models import ModuleAnswer
from pagetojob.titan.connection import connect_sandbox


def connect_workspace_to_sandbox(workspace: Workspace, actor: Any, *, base_url: str, tenant_id: int, app_key: str,
                                 client_id: str, client_secret: str, marketing_ads: bool = True) -> None:
    evidence = f"Sandbox connection: the local ServiceTitan sandbox at {base_url} (tenant {tenant_id}), not a " \
               "customer's tenant."
    changes.record_gate(workspace, actor, "app_approval", True, evidence, environment="sandbox")
    changes.record_gate(workspace, actor, "customer_authorization", True, evidence, environment="sandbox")
    if marketing_ads:
        changes.set_module_answer(workspace, actor, "marketing_ads", ModuleAnswer.OWNED,
                                  "Sandbox connection: the sandbox accepts web attributions.")
    # Storing and testing the credentials records the credentials gate (readiness listens to titan).
    connection = connect_sandbox(workspace, actor, base_url, tenant_id, app_key, client_id, client_secret)
    if not connection.last_test_ok:
        raise RuntimeError(f"The sandbox at {base_url} refused the connection test: {connection.last_test_message}")
