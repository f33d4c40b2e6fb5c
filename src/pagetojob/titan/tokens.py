"""Access tokens, cached per connection and client id for this process, renewed before they expire.

ServiceTitan only offers the client-credentials grant: no refresh tokens, so "refresh" means fetching a new
token. It is fetched again 60 s before `expires_in` runs out (or after three quarters of a shorter lifetime),
so a token never expires on the way to ServiceTitan.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

REFRESH_EARLY_SECONDS = 60.0
DEFAULT_LIFETIME_SECONDS = 900  # what ServiceTitan is reported to issue, when a response omits expires_in


@dataclass(frozen=True)
class Token:
    value: str = field(repr=False)
    expires_in: float
    obtained_at: float  # time.monotonic()
    scopes: tuple[str, ...] = ()

    @property
    def refresh_at(self) -> float:
        return self.obtained_at + self.expires_in - min(REFRESH_EARLY_SECONDS, self.expires_in / 4)

    def fresh(self, now: float | None = None) -> bool:
        return (time.monotonic() if now is None else now) < self.refresh_at


def scopes_from(payload: dict[str, Any], access_token: str) -> tuple[str, ...]:
    """Granted scopes where ServiceTitan tells them: the token response's `scope`, else the JWT's scope claim."""
    raw: Any = payload.get("scope")
    if raw is None:
        raw = _jwt_claims(access_token).get("scope")
    if isinstance(raw, str):
        items = raw.split()
    elif isinstance(raw, list):
        items = [str(item) for item in raw]
    else:
        items = []
    return tuple(sorted({item for item in items if item}))


def _jwt_claims(token: str) -> dict[str, Any]:
    """The unverified claims of a JWT access token (only read for display of scopes, never trusted)."""
    parts = token.split(".")
    if len(parts) != 3:
        return {}
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except ValueError:
        return {}
    return claims if isinstance(claims, dict) else {}


class TokenCache:
    """Process-wide tokens keyed by (connection, client id, token URL); one fetch at a time per key."""

    def __init__(self) -> None:
        self._tokens: dict[tuple[str, str, str], Token] = {}
        self._locks: dict[tuple[str, str, str], threading.Lock] = {}
        self._guard = threading.Lock()

    def lock_for(self, key: tuple[str, str, str]) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    def get(self, key: tuple[str, str, str]) -> Token | None:
        token = self._tokens.get(key)
        return token if token is not None and token.fresh() else None

    def put(self, key: tuple[str, str, str], token: Token) -> None:
        self._tokens[key] = token

    def drop(self, key: tuple[str, str, str], token: Token | None = None) -> None:
        """Forget a token (only `token` itself, if given, so a newer one fetched meanwhile survives)."""
        with self._guard:
            if token is None or self._tokens.get(key) is token:
                self._tokens.pop(key, None)

    def forget_connection(self, connection_key: str) -> int:
        with self._guard:
            doomed = [key for key in self._tokens if key[0] == connection_key]
            for key in doomed:
                del self._tokens[key]
        return len(doomed)

    def clear(self) -> None:
        with self._guard:
            self._tokens.clear()


cache = TokenCache()
