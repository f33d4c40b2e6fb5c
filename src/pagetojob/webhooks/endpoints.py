"""A workspace's webhook signing settings: reading them for the receiver, changing them for admins."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db import connection

from pagetojob.accounts import audit
from pagetojob.accounts.models import Workspace
from pagetojob.core import clock, fastsql, vault
from pagetojob.webhooks.models import SignatureEncoding, SignedContent, WebhookEndpoint
from pagetojob.webhooks.verification import SigningRules

HEADER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,79}$")
MIN_KEY, MAX_KEY = 32, 64  # ServiceTitan's portal generates or accepts HMAC keys of 32-64 characters
_PLAINTEXT: dict[str, str] = {}  # ciphertext -> secret; decrypting on every delivery would cost more than the HMAC


def _reveal(stored: str) -> str:
    if stored not in _PLAINTEXT:
        if len(_PLAINTEXT) > 1000:
            _PLAINTEXT.clear()
        _PLAINTEXT[stored] = vault.decrypt(stored)
    return _PLAINTEXT[stored]


@dataclass(frozen=True)
class Target:
    """The workspace a delivery is for and its endpoint (None when nothing is configured)."""

    workspace: Workspace
    endpoint: WebhookEndpoint | None


def target(workspace_key: str) -> Target | None:
    """Two single-table statements, as every delivery starts here."""
    quote = connection.ops.quote_name
    workspaces = fastsql.select(Workspace, f"{quote('key')} = %s", [workspace_key])
    if not workspaces:
        return None
    endpoints = fastsql.select(WebhookEndpoint, "workspace_id = %s", [workspaces[0].pk])
    return Target(workspaces[0], endpoints[0] if endpoints else None)


def rules(endpoint: WebhookEndpoint | None) -> SigningRules:
    if endpoint is None:
        return SigningRules("X-ServiceTitan-Signature", SignatureEncoding.HEX, "", SignedContent.BODY, 300, ())
    secrets = []
    problem = ""
    for label, stored in (("current key", endpoint.secret_current), ("previous key", endpoint.secret_previous)):
        if stored:
            try:
                secrets.append((label, _reveal(stored)))
            except vault.VaultError:
                problem = "The server cannot read this workspace's webhook key: its encryption key is not configured."
    return SigningRules(endpoint.signature_header, endpoint.encoding, endpoint.timestamp_header,
                        endpoint.signed_content, endpoint.tolerance_seconds, tuple(secrets), problem)


def endpoint_for(workspace: Workspace) -> WebhookEndpoint:
    return WebhookEndpoint.objects.filter(workspace=workspace).first() or WebhookEndpoint(workspace=workspace)


def current_secret(workspace: Workspace) -> str:
    endpoint = WebhookEndpoint.objects.filter(workspace=workspace).first()
    if endpoint is None or not endpoint.secret_current:
        raise ValueError("No webhook key is configured: set one on the webhook settings screen first.")
    try:
        return _reveal(endpoint.secret_current)
    except vault.VaultError as error:
        raise ValueError(f"The webhook key cannot be read: {error}") from error


def key_problem(endpoint: WebhookEndpoint) -> str:
    """Why a stored key cannot be used (a removed encryption key), or ''."""
    for stored in (endpoint.secret_current, endpoint.secret_previous):
        if stored:
            try:
                _reveal(stored)
            except vault.VaultError as error:
                return str(error)
    return ""


def is_configured(workspace_id: int) -> bool:
    return WebhookEndpoint.objects.filter(workspace_id=workspace_id).exclude(secret_current="").exists()


class SettingsInvalid(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = errors


def save_settings(workspace: Workspace, actor: Any, *, signature_header: str, encoding: str,
                  timestamp_header: str, signed_content: str, tolerance_seconds: str | int,
                  new_key: str = "", keep_previous: bool = True, drop_previous: bool = False) -> WebhookEndpoint:
    """Validate and store; a new key becomes current and, with keep_previous, the old one stays accepted."""
    errors: dict[str, str] = {}
    signature_header = signature_header.strip()
    timestamp_header = timestamp_header.strip()
    if not HEADER_NAME.match(signature_header):
        errors["signature_header"] = "Enter a header name of letters, digits and dashes, e.g. X-ServiceTitan-Signature."
    if timestamp_header and not HEADER_NAME.match(timestamp_header):
        errors["timestamp_header"] = "Enter a header name of letters, digits and dashes, or leave it empty."
    if timestamp_header and timestamp_header.lower() == signature_header.lower():
        errors["timestamp_header"] = "The timestamp header must differ from the signature header."
    if encoding not in SignatureEncoding.values:
        errors["encoding"] = "Choose hex or base64."
    if signed_content not in SignedContent.values:
        errors["signed_content"] = "Choose what the signature covers."
    elif signed_content == SignedContent.TIMESTAMP_DOT_BODY and not timestamp_header:
        errors["signed_content"] = "A signature over the timestamp needs a timestamp header."
    try:
        tolerance = int(str(tolerance_seconds).strip())
        if not 30 <= tolerance <= 3600:
            raise ValueError
    except ValueError:
        errors["tolerance_seconds"] = "Enter a whole number of seconds between 30 and 3600 (default 300)."
        tolerance = 300
    new_key = new_key.strip()
    if new_key and not (MIN_KEY <= len(new_key) <= MAX_KEY):
        errors["new_key"] = (f"The key is {len(new_key)} characters; ServiceTitan's HMAC keys are "
                             f"{MIN_KEY}-{MAX_KEY} characters. Copy it again from the developer portal.")
    endpoint = endpoint_for(workspace)
    if not new_key and not endpoint.secret_current:
        errors["new_key"] = "Paste the HMAC key from ServiceTitan's developer portal."
    if errors:
        raise SettingsInvalid(errors)
    now = clock.now()
    changes = []
    endpoint.signature_header, endpoint.encoding = signature_header, encoding
    endpoint.timestamp_header, endpoint.signed_content = timestamp_header, signed_content
    endpoint.tolerance_seconds = tolerance
    if new_key:
        if endpoint.secret_current and keep_previous:
            endpoint.secret_previous, endpoint.previous_hint = endpoint.secret_current, endpoint.secret_hint
            changes.append("the old key stays accepted until removed")
        else:
            endpoint.secret_previous, endpoint.previous_hint = "", ""
        endpoint.secret_current, endpoint.secret_hint = vault.encrypt(new_key), "…" + new_key[-4:]
        endpoint.secret_set_at = now
        changes.insert(0, f"new key {endpoint.secret_hint}")
    elif drop_previous and endpoint.secret_previous:
        endpoint.secret_previous, endpoint.previous_hint = "", ""
        changes.append("previous key removed")
    endpoint.updated_by = actor if getattr(actor, "is_authenticated", False) else None
    endpoint.updated_at = now
    endpoint.save()
    audit.record(workspace, actor, "webhooks.settings",
                 f"Webhook signing: {signature_header} ({encoding})"
                 + (f", timestamp {timestamp_header} ±{tolerance}s" if timestamp_header else ", no timestamp")
                 + (f"; {', '.join(changes)}" if changes else ""),
                 target=endpoint, details={"signature_header": signature_header, "encoding": encoding,
                                           "timestamp_header": timestamp_header, "signed_content": signed_content,
                                           "tolerance_seconds": tolerance, "key_changed": bool(new_key)})
    return endpoint


def rotate_secrets() -> vault.Rotation:
    """Re-encrypt stored webhook keys under the newest encryption key."""
    return vault.rotate_rows(WebhookEndpoint, ("secret_current", "secret_previous"), lambda row: row.workspace.key)
