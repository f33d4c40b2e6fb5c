"""What else must be stored in the same transaction as a booking request (the handoff draft, for one).

Apps at the same level register here from AppConfig.ready(), so intake never imports them. A hook may
also register a `prepare` step: it reads what it needs before the write transaction opens (on SQLite that
transaction holds the one write lock), and its result is handed to the hook.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_STORED: list[Callable[..., None]] = []
_PREPARE: dict[Callable[..., None], Callable[[Any], Any]] = {}


def on_request_stored(callback: Callable[..., None], prepare: Callable[[Any], Any] | None = None) -> None:
    if callback not in _STORED:
        _STORED.append(callback)
    if prepare is not None:
        _PREPARE[callback] = prepare


def prepare(workspace: Any) -> dict[Callable[..., None], Any]:
    """Run every registered prepare step for a workspace, outside any transaction."""
    return {callback: step(workspace) for callback, step in _PREPARE.items() if callback in _STORED}


def request_stored(booking_request: Any, prepared: dict[Callable[..., None], Any] | None = None) -> None:
    prepared = prepared or {}
    for callback in _STORED:
        if callback in prepared:
            callback(booking_request, prepared[callback])
        else:
            callback(booking_request)
