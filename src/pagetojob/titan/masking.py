"""Secrets never leave the client in a summary: headers and bodies are masked before anyone sees them."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

MASK = "••••"
SECRET_NAMES = frozenset({
    "authorization", "st-app-key", "client_secret", "clientsecret", "access_token", "accesstoken",
    "refresh_token", "id_token", "password", "app_key", "appkey",
})
# Identifiers that are not secrets on their own but are stored encrypted: only their last four characters show.
PARTIAL_NAMES = frozenset({"client_id", "clientid"})


def _is_secret(name: str) -> bool:
    return name.strip().lower() in SECRET_NAMES


def hint(value: str) -> str:
    """At most the last four characters of an identifier."""
    return f"{MASK}{value[-4:]}" if len(value) > 8 else MASK


def mask_headers(headers: dict[str, str]) -> dict[str, str]:
    return {name: (MASK if _is_secret(name) else value) for name, value in headers.items()}


def mask(value: Any) -> Any:
    """A copy of a JSON-like value with every secret-named member masked, at any depth."""
    if isinstance(value, dict):
        masked: dict[Any, Any] = {}
        for key, item in value.items():
            name = str(key).strip().lower()
            if name in SECRET_NAMES:
                masked[key] = MASK
            elif name in PARTIAL_NAMES and isinstance(item, str):
                masked[key] = hint(item)
            else:
                masked[key] = mask(item)
        return masked
    if isinstance(value, list):
        return [mask(item) for item in value]
    return value


def mask_form(body: str) -> str:
    """A form-encoded body (the token request) with its secrets masked."""
    pairs = parse_qsl(body, keep_blank_values=True)
    return urlencode([(name, MASK if _is_secret(name) else hint(value) if name.lower() in PARTIAL_NAMES else value)
                      for name, value in pairs], safe=MASK)


def scrub(text: str, secrets: list[str]) -> str:
    """Remove known secret values from free text (an error body that echoes a credential back)."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, MASK)
    return text
