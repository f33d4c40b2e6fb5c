"""Connecting a workspace to its ServiceTitan tenant: validate, encrypt, test, disconnect — all audited.

Every change sends `signals.connection_changed`, which readiness turns into the credentials gate and the
sync queue into holding or releasing jobs. Secrets are decrypted only to build a client, never returned.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from django.db import transaction

from pagetojob.accounts import audit
from pagetojob.accounts.models import Workspace
from pagetojob.core import clock, vault
from pagetojob.titan import masking, tokens
from pagetojob.titan.client import Credentials, TitanClient
from pagetojob.titan.errors import TitanAuthError, TitanError
from pagetojob.titan.models import SECRET_FIELDS, ConnectionState, Environment, TitanConnection
from pagetojob.titan.signals import connection_changed

log = logging.getLogger("pagetojob.titan")

TENANT_ID = re.compile(r"^[1-9][0-9]{0,17}$")
NO_WHITESPACE = re.compile(r"^\S+$")
CHEAP_READ = ("settings", "business-units")  # GET .../business-units?pageSize=1, scope tn.stt.businessunits:r
FIELD_LABELS = {"environment": "Environment", "tenant_id": "Tenant id", "app_key": "App key",
                "client_id": "Client id", "client_secret": "Client secret", "base_url": "Sandbox URL"}


class ConnectionRefused(ValueError):
    """The details cannot be stored; `errors` maps a field (or "__all__") to what to fix."""

    def __init__(self, errors: dict[str, str]) -> None:
        parts = [f"{FIELD_LABELS[name]}: {text}" if name in FIELD_LABELS else text for name, text in errors.items()]
        super().__init__(" ".join(parts))
        self.errors = errors


class NotConnected(TitanAuthError):
    """The workspace has no usable ServiceTitan credentials (never connected, disconnected, or unreadable)."""


@dataclass(frozen=True)
class ConnectionCheck:
    ok: bool
    message: str
    scopes: list[str] = field(default_factory=list)
    environment: str = ""


def validate(environment: str, tenant_id: str, app_key: str, client_id: str, client_secret: str,
             base_url: str = "") -> tuple[dict[str, Any], dict[str, str]]:
    """Cleaned values and, per field, what is wrong with the rest. Never echoes a secret in a message."""
    errors: dict[str, str] = {}
    environment = (environment or "").strip()
    if environment not in Environment.values:
        errors["environment"] = "Choose integration, production or the local sandbox."
    base_url = (base_url or "").strip().rstrip("/")
    if environment == Environment.SANDBOX:
        parsed = urlparse(base_url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname or parsed.path or parsed.query:
            errors["base_url"] = "The sandbox URL must look like http://127.0.0.1:8081 (scheme, host and port only)."
    else:
        base_url = ""
    tenant = re.sub(r"[\s,]", "", tenant_id or "")
    if not tenant:
        errors["tenant_id"] = "Enter the tenant id: the number ServiceTitan shows with the app's client credentials."
    elif not TENANT_ID.match(tenant):
        errors["tenant_id"] = "The tenant id is a number (digits only, up to 18), for example 1234567890."
    values = {"app_key": (app_key or "").strip(), "client_id": (client_id or "").strip(),
              "client_secret": (client_secret or "").strip()}
    examples = {"app_key": "ak1.…", "client_id": "cid.…", "client_secret": "cs1.…"}
    for name, value in values.items():
        label = FIELD_LABELS[name]
        if not value:
            errors[name] = f"Enter the {label.lower()} (it usually starts with {examples[name]})."
        elif not NO_WHITESPACE.match(value):
            errors[name] = f"The {label.lower()} contains spaces or line breaks: paste it again exactly as shown."
        elif len(value) > 500:
            errors[name] = f"The {label.lower()} is longer than 500 characters: paste only the value itself."
    if values["client_secret"] and values["client_secret"] == values["client_id"]:
        errors["client_secret"] = "The client secret is the same as the client id: paste the secret here."
    if values["app_key"] and values["app_key"] in (values["client_id"], values["client_secret"]):
        errors["app_key"] = "The app key is the same as a client credential: paste the app's key (ak1.…) here."
    cleaned = {"environment": environment, "tenant_id": int(tenant) if "tenant_id" not in errors else None,
               "base_url": base_url, **values}
    return cleaned, errors


def connection_of(workspace: Workspace) -> TitanConnection | None:
    return TitanConnection.objects.filter(workspace=workspace).select_related("connected_by", "disconnected_by").first()


def _connection_key(connection: TitanConnection) -> str:
    return f"titan-connection-{connection.pk}"


def _announce(connection: TitanConnection, actor: Any, reason: str, detail: str) -> None:
    connection_changed.send(
        sender=TitanConnection, workspace=connection.workspace, connected=usable(connection),
        environment=connection.environment, detail=detail, actor=actor, reason=reason,
    )


def connect(workspace: Workspace, actor: Any, *, environment: str, tenant_id: str | int, app_key: str,
            client_id: str, client_secret: str, base_url: str = "") -> TitanConnection:
    """Store new credentials (encrypted). They count as working only after `test_connection` succeeds."""
    problem = vault.problem()
    if problem:
        raise ConnectionRefused({"__all__": problem})
    cleaned, errors = validate(environment, str(tenant_id), app_key, client_id, client_secret, base_url)
    if errors:
        raise ConnectionRefused(errors)
    now = clock.now()
    with transaction.atomic():
        connection, _ = TitanConnection.objects.select_for_update().get_or_create(workspace=workspace)
        tokens.cache.forget_connection(_connection_key(connection))
        connection.environment = cleaned["environment"]
        connection.sandbox_url = cleaned["base_url"]
        connection.tenant_id = cleaned["tenant_id"]
        connection.app_key_encrypted = vault.encrypt(cleaned["app_key"])
        connection.client_id_encrypted = vault.encrypt(cleaned["client_id"])
        connection.client_secret_encrypted = vault.encrypt(cleaned["client_secret"])
        connection.client_id_hint = cleaned["client_id"][-4:] if len(cleaned["client_id"]) > 8 else ""
        connection.state = ConnectionState.CONNECTED
        connection.connected_by = actor if getattr(actor, "is_authenticated", False) else None
        connection.connected_at = now
        connection.scopes = []
        connection.last_test_at = None
        connection.last_test_ok = None
        connection.last_test_message = ""
        connection.disconnected_by = None
        connection.disconnected_at = None
        connection.save()
        summary = (f"Stored ServiceTitan credentials for the {connection.environment_label} environment, tenant "
                   f"{connection.tenant_id}, client id {masking.hint(cleaned['client_id'])}, encrypted with key "
                   f"{vault.current_key_id()}")
        audit.record(workspace, actor, "titan.connect", summary, target=connection, details={
            "environment": connection.environment, "tenant_id": connection.tenant_id,
            "client_id": masking.hint(cleaned["client_id"]), "key_id": vault.current_key_id(),
            "sandbox_url": connection.sandbox_url,
        })
        _announce(connection, actor, "connected", "New credentials are stored; test the connection to use them.")
    log.info("ServiceTitan credentials stored for workspace %s (%s, tenant %s)", workspace.key,
             connection.environment, connection.tenant_id)
    return connection


def credentials_for(connection: TitanConnection) -> Credentials:
    """Decrypt a connection's secrets into memory; NotConnected says plainly why that is impossible."""
    if not connection.is_connected or connection.tenant_id is None:
        raise NotConnected("ServiceTitan is not connected for this workspace: connect it under Settings › "
                           "ServiceTitan connection.")
    try:
        app_key, client_id, client_secret = (vault.decrypt(getattr(connection, name)) for name in SECRET_FIELDS)
    except vault.VaultError as error:
        raise NotConnected(f"The stored ServiceTitan credentials cannot be read: {error}") from error
    return Credentials(connection.environment, connection.tenant_id, app_key, client_id, client_secret,
                       base_url=connection.sandbox_url, connection_key=_connection_key(connection))


def client_for(workspace: Workspace, **options: Any) -> TitanClient:
    """A client for the workspace's tenant (options: timeout, connect_timeout, rate_limit, on_exchange).

    Called for every sync send: one narrow read, no people joined in (only the settings page shows them)."""
    connection = TitanConnection.objects.filter(workspace=workspace).first()
    if connection is None:
        raise NotConnected("ServiceTitan is not connected for this workspace: connect it under Settings › "
                           "ServiceTitan connection.")
    return TitanClient(credentials_for(connection), **options)


def test_connection(workspace: Workspace, actor: Any, **options: Any) -> ConnectionCheck:
    """Fetch a new token and make one cheap read; record the result, the granted scopes, and tell readiness."""
    connection = connection_of(workspace)
    if connection is None or not connection.is_connected:
        raise NotConnected("There are no stored credentials to test: connect ServiceTitan first.")
    label = connection.environment_label
    scopes: list[str] = []
    try:
        client = TitanClient(credentials_for(connection), **options)
        token = client.token(fresh=True)
        scopes = list(token.scopes)
        module, resource = CHEAP_READ
        client.get(client.tenant_path(module, resource), pageSize=1)
    except TitanError as error:
        ok, message = False, f"Test failed: {error}"
    else:
        ok = True
        message = (f"Fetched a token and read business units from tenant {connection.tenant_id} ({label})."
                   + ("" if scopes else " ServiceTitan did not list the granted scopes."))
    now = clock.now()
    with transaction.atomic():
        TitanConnection.objects.filter(pk=connection.pk).update(
            last_test_at=now, last_test_ok=ok, last_test_message=message[:1000],
            **({"scopes": scopes} if ok else {}))
        connection.refresh_from_db()
        audit.record(workspace, actor, "titan.test", message[:500], target=connection,
                     details={"ok": ok, "environment": connection.environment, "scopes": scopes})
        _announce(connection, actor, "tested" if ok else "test failed",
                  f"{message} ({now:%Y-%m-%d %H:%M} UTC)" if ok else message)
    return ConnectionCheck(ok, message, scopes, connection.environment)


def disconnect(workspace: Workspace, actor: Any) -> TitanConnection | None:
    """Delete the stored secrets and turn API features off; the site, the form and manual work carry on."""
    with transaction.atomic():
        connection = TitanConnection.objects.select_for_update().filter(workspace=workspace).first()
        if connection is None:
            return None
        had_secrets = connection.has_secrets
        for name in SECRET_FIELDS:
            setattr(connection, name, "")
        connection.client_id_hint = ""
        connection.scopes = []
        connection.state = ConnectionState.DISCONNECTED
        connection.last_test_ok = None
        connection.disconnected_by = actor if getattr(actor, "is_authenticated", False) else None
        connection.disconnected_at = clock.now()
        connection.save()
        tokens.cache.forget_connection(_connection_key(connection))
        audit.record(workspace, actor, "titan.disconnect",
                     f"Disconnected ServiceTitan ({connection.environment_label}, tenant {connection.tenant_id})"
                     + ("; stored credentials deleted" if had_secrets else ""), target=connection,
                     details={"environment": connection.environment, "tenant_id": connection.tenant_id})
        _announce(connection, actor, "disconnected",
                  "ServiceTitan was disconnected and the stored credentials were deleted.")
    log.info("ServiceTitan disconnected for workspace %s", workspace.key)
    return connection


def usable(connection: TitanConnection) -> bool:
    if not (connection.is_connected and connection.last_test_ok):
        return False
    try:
        configured = {key.key_id for key in vault.keys()}
    except vault.VaultError:
        return False
    return set(connection.key_ids) <= configured


def credentials_ok(workspace: Workspace) -> bool:
    """Stored, readable under a configured key, and the last test fetched a token and read the tenant."""
    connection = connection_of(workspace)
    return connection is not None and usable(connection)


def connect_sandbox(workspace: Workspace, user: Any, base_url: str, tenant_id: str | int, app_key: str,
                    client_id: str, client_secret: str, *, test: bool = True) -> TitanConnection:
    """Connect to a local ServiceTitan sandbox (the demo), then test it unless told not to."""
    connection = connect(workspace, user, environment=Environment.SANDBOX, tenant_id=tenant_id, app_key=app_key,
                         client_id=client_id, client_secret=client_secret, base_url=base_url)
    if test:
        test_connection(workspace, user)
        connection.refresh_from_db()
    return connection
