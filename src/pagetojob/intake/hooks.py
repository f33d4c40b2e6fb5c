"""What else must be stored in the same transaction as a booking request (the handoff draft, for one).

Apps at the same level register here from AppConfig.ready(), so intake never imports them. A hook may
also register a `prepare` step: it gets the request before it is stored and does its reads and
preparation then, outside the write transaction (on SQLite that transaction holds the one write lock,
so the less happens inside it the better); its result is handed to the hook inside the transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_STORED: list[Callable[..., Any]] = []
_COMPLETED: list[Callable[[Any, str], Any]] = []
_PREPARE: dict[Callable[..., Any], Callable[[Any], Any]] = {}


def on_request_stored(callback: Callable[..., Any], prepare: Callable[[Any], Any] | None = None) -> None:
    if callback not in _STORED:
        _STORED.append(callback)
    if prepare is not None:
        _PREPARE[callback] = prepare


def prepare(booking_request: Any) -> dict[Callable[..., Any], Any]:
    """Run every registered prepare step for a request about to be stored, outside any transaction."""
    return {callback: step(booking_request) for callback, step in _PREPARE.items() if callback in _STORED}


def request_stored(booking_request: Any, prepared: dict[Callable[..., Any], Any] | None = None) -> None:
    prepared = prepared or {}
    for callback in _STORED:
        if callback in prepared:
            callback(booking_request, prepared[callback])
        else:
            callback(booking_request)


def on_request_completed(callback: Callable[[Any, str], Any]) -> None:
    """Work that follows a request the office marked manual-complete (its pending handoff is closed)."""
    if callback not in _COMPLETED:
        _COMPLETED.append(callback)


def request_completed(booking_request: Any, note: str) -> None:
    for callback in _COMPLETED:
        callback(booking_request, note)
